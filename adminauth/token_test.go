package adminauth

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenComparedInConstantTime reads the comparison's source: matches
// hashes the token presented and compares the digests with
// crypto/subtle's ConstantTimeCompare, and nothing in it compares bytes
// or strings any other way (==, bytes.Equal, strings...), which would
// return at the first byte that differs.
func TestTokenComparedInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "token.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var matches *ast.FuncDecl
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "matches" && fn.Recv != nil {
			matches = fn
		}
	}
	if matches == nil {
		t.Fatal("token.go has no method matches")
	}
	var calls []string
	ast.Inspect(matches.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok {
					calls = append(calls, pkg.Name+"."+sel.Sel.Name)
				}
			}
		case *ast.BinaryExpr:
			lit, ok := n.Y.(*ast.BasicLit)
			if (n.Op == token.EQL || n.Op == token.NEQ) && (!ok || lit.Value != "1") {
				t.Errorf("%s: %s compares other than ConstantTimeCompare's result", fset.Position(n.Pos()), n.Op)
			}
		}
		return true
	})
	if strings.Join(calls, " ") != "sha256.Sum256 subtle.ConstantTimeCompare" {
		t.Errorf("matches calls %v, want sha256.Sum256 then subtle.ConstantTimeCompare", calls)
	}
	// And the guard compares tokens through matches alone: Token is only
	// ever compared with "", whether one is configured.
	for _, file := range []string{"guard.go", "signin.go", "pages.go"} {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				sel, ok := n.X.(*ast.SelectorExpr)
				lit, empty := n.Y.(*ast.BasicLit)
				if ok && sel.Sel.Name == "Token" && (!empty || lit.Value != `""`) {
					t.Errorf("%s: Token compared with %s", fset.Position(n.Pos()), n.Op)
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if pkg, ok := sel.X.(*ast.Ident); ok && (pkg.Name == "bytes" || pkg.Name == "strings") && strings.Contains(sel.Sel.Name, "Equal") {
						t.Errorf("%s: %s.%s", fset.Position(n.Pos()), pkg.Name, sel.Sel.Name)
					}
				}
			}
			return true
		})
	}
}

func TestReadTokenFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, want, err string
	}{
		{"one line", strings.Repeat("a1", 16) + "\n", strings.Repeat("a1", 16), ""},
		{"too short", "hunter2\n", "", "7 characters, want at least 32"},
		{"two words", strings.Repeat("a", 32) + " " + strings.Repeat("b", 32), "", "more than one word"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadTokenFile(path)
			if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("ReadTokenFile = %q, %v; want %q, %q", got, err, tc.want, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), strings.TrimSpace(tc.content)) {
				t.Errorf("the error quotes the token: %v", err)
			}
		})
	}
}
