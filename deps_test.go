package commitlabeler

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// harnessCommands load-test and measure the bot (README "Develop"); they
// may link test harnesses. Every other command under cmd/ ships.
var harnessCommands = []string{"cmd/bench"}

// listedPackage is what the guards read of `go list -json`.
type listedPackage struct {
	ImportPath string
	Imports    []string // of its non-test files
}

// goList runs `go list` with args and returns what it prints.
func goList(t *testing.T, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH: the guards ask go list")
	}
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, exitErr.Stderr)
		}
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// goListPackages decodes the packages `go list -json` lists for args.
func goListPackages(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	out := goList(t, append([]string{"-json=ImportPath,Imports"}, args...)...)
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
		}
		pkgs = append(pkgs, p)
	}
}

// moduleLayout names the module's internal/ prefix and its shipped
// commands, as go list finds them.
func moduleLayout(t *testing.T) (internalPrefix string, shipped []string) {
	t.Helper()
	module := strings.TrimSpace(string(goList(t, "-m")))
	for _, cmd := range goListPackages(t, "./cmd/...") {
		rel := strings.TrimPrefix(cmd.ImportPath, module+"/")
		if !slices.Contains(harnessCommands, rel) {
			shipped = append(shipped, cmd.ImportPath)
		}
	}
	if len(shipped) == 0 {
		t.Fatal("go list ./cmd/... found no shipped command")
	}
	return module + "/internal/", shipped
}

// TestShippedBinariesLinkNoInternalPackage lists what each shipped command
// links (go list -deps) and fails on any internal/ package: internal/ holds
// test doubles and harnesses.
func TestShippedBinariesLinkNoInternalPackage(t *testing.T) {
	internalPrefix, shipped := moduleLayout(t)
	for _, bin := range shipped {
		for _, dep := range goListPackages(t, "-deps", bin) {
			if strings.HasPrefix(dep.ImportPath, internalPrefix) {
				t.Errorf("%s links %s: test doubles and harnesses must stay out of shipped binaries", bin, dep.ImportPath)
			}
		}
	}
}

// TestInternalHoldsOnlyTestDoublesAndHarnesses fails on an internal/
// package that imports no testing and that code other than tests,
// internal/ and the harness commands imports: production code, which
// belongs outside internal/.
func TestInternalHoldsOnlyTestDoublesAndHarnesses(t *testing.T) {
	internalPrefix, _ := moduleLayout(t)
	module := strings.TrimSuffix(internalPrefix, "/internal/")
	pkgs := goListPackages(t, "./...")
	importers := map[string][]string{}
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if strings.HasPrefix(p.ImportPath, internalPrefix) || slices.Contains(harnessCommands, rel) {
			continue
		}
		for _, imp := range p.Imports {
			importers[imp] = append(importers[imp], p.ImportPath)
		}
	}
	var checked int
	for _, p := range pkgs {
		if !strings.HasPrefix(p.ImportPath, internalPrefix) {
			continue
		}
		checked++
		if users := importers[p.ImportPath]; len(users) > 0 && !slices.Contains(p.Imports, "testing") {
			t.Errorf("%s imports no testing and %s imports it: production code belongs outside internal/", p.ImportPath, strings.Join(users, ", "))
		}
	}
	if checked == 0 {
		t.Fatalf("go list ./... found no package under %s", internalPrefix)
	}
}

// moduleImports are, for packages whose docs bound what they build on, the
// only packages of the module each may import (by path below the module):
// ghapp is GitHub plumbing that imports none; checkrun writes check runs'
// prose from what a decision is made of, below the handlers that write them;
// delivery takes GitHub's deliveries to the handlers it is given, below them;
// deliveryjob is the delivery job's kind, which any River client of the
// database registers, and imports none.
var moduleImports = map[string][]string{
	"ghapp":       {},
	"checkrun":    {"classify", "decision", "repoconfig"},
	"delivery":    {"classify", "deliveryjob", "ghapp", "jsonscan", "learnjob", "store"},
	"deliveryjob": {},
}

// TestPackagesImportOnlyWhatTheirDocsAllow fails on an import of a module
// package that moduleImports does not allow: an import running back up.
func TestPackagesImportOnlyWhatTheirDocsAllow(t *testing.T) {
	internalPrefix, _ := moduleLayout(t)
	module := strings.TrimSuffix(internalPrefix, "/internal/")
	checked := 0
	for _, p := range goListPackages(t, "./...") {
		allowed, ruled := moduleImports[strings.TrimPrefix(p.ImportPath, module+"/")]
		if !ruled {
			continue
		}
		checked++
		for _, imp := range p.Imports {
			rel, inModule := strings.CutPrefix(imp, module+"/")
			if (inModule || imp == module) && !slices.Contains(allowed, rel) {
				t.Errorf("%s imports %s: it may import only %v of this module", p.ImportPath, imp, allowed)
			}
		}
	}
	if checked != len(moduleImports) {
		t.Fatalf("go list ./... found %d of the %d packages moduleImports names", checked, len(moduleImports))
	}
}
