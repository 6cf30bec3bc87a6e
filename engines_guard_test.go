package commitlabeler

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// storeImport is the import path of the package that alone knows the
// database engines.
const storeImport = "github.com/commit-labeler/commit-labeler/store"

// engineFree are what may name an engine outside store: tests (their rigs
// set engines up) and internal/ (test doubles and harnesses).
func engineFree(path string) bool {
	return strings.HasSuffix(path, "_test.go") || strings.HasPrefix(path, "internal"+string(filepath.Separator))
}

// TestNoEngineBranchOutsideStore fails on a reference to store.SQLite,
// store.PostgreSQL or a .Engine() call in the non-test files of a package
// outside store: store offers the behaviour each engine needs, and no
// other package branches on the engine.
func TestNoEngineBranchOutsideStore(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != "." && (path == "store" || path == "testdata" || strings.HasPrefix(d.Name(), ".")):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || engineFree(path):
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, ref := range engineReferences(fset, f) {
			t.Errorf("%s: %s branches on the engine outside store: ask store for the behaviour", ref.pos, ref.expr)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// engineReference is a place that names an engine.
type engineReference struct {
	pos  token.Position
	expr string
}

// engineReferences are f's references to store's engines (under whatever
// name f imports store) and its calls of an Engine method.
func engineReferences(fset *token.FileSet, f *ast.File) []engineReference {
	var storeNames []string
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == storeImport {
			name := "store"
			if imp.Name != nil {
				name = imp.Name.Name
			}
			storeNames = append(storeNames, name)
		}
	}
	var refs []engineReference
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Engine" && len(n.Args) == 0 {
				refs = append(refs, engineReference{fset.Position(n.Pos()), ".Engine()"})
			}
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && slices.Contains(storeNames, x.Name) &&
				(n.Sel.Name == "SQLite" || n.Sel.Name == "PostgreSQL") {
				refs = append(refs, engineReference{fset.Position(n.Pos()), x.Name + "." + n.Sel.Name})
			}
		}
		return true
	})
	return refs
}

// TestEngineReferencesFindsBranches: the guard's finder sees each way of
// naming an engine, and nothing else.
func TestEngineReferencesFindsBranches(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"engine method", `import "github.com/commit-labeler/commit-labeler/store"
func f(db *store.DB) bool { return db.Engine() == store.SQLite }`, []string{".Engine()", "store.SQLite"}},
		{"renamed import", `import st "github.com/commit-labeler/commit-labeler/store"
var e = st.PostgreSQL`, []string{"st.PostgreSQL"}},
		{"another package's SQLite", `import "example.com/store"
var e = store.SQLite`, nil},
		{"store's behaviour", `import "github.com/commit-labeler/commit-labeler/store"
func f(db *store.DB) { db.SizePool(4) }`, nil},
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, tc.name+".go", "package p\n"+tc.src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, ref := range engineReferences(fset, f) {
			got = append(got, ref.expr)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: found %v, want %v", tc.name, got, tc.want)
		}
	}
}
