package broker_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/kexie/techbroker/"

// imports returns, for every Go file in dir (tests included), its imports.
func imports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string][]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			out[filepath.Base(f)] = append(out[filepath.Base(f)], p)
		}
	}
	return out
}

// The layers of DESIGN.md, checked on the source: feature packages never
// import the driver (their code and their tests), and adapters import the
// driver but not the core (their tests may use the conformance suite, the
// core and the note printed when PostgreSQL tests skip).
func TestLayers(t *testing.T) {
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	adapters := []string{"memstore", "sqlitestore", "pgstore"}
	for _, d := range dirs {
		name := d.Name()
		if !d.IsDir() || strings.HasPrefix(name, "_") || name == "testdata" || name == "driver" || name == "drivertest" {
			continue
		}
		for file, ims := range imports(t, name) {
			switch {
			case slices.Contains(adapters, name):
				for _, im := range ims {
					if strings.HasPrefix(im, module) && im != module+"broker/driver" && !strings.HasPrefix(im, module+"broker/"+name) &&
						!(strings.HasSuffix(file, "_test.go") && (im == module+"broker/drivertest" || im == module+"broker" || im == module+"internal/pgnote")) {
						t.Errorf("adapter %s/%s imports %s: adapters use the driver and their database package only", name, file, im)
					}
				}
			default:
				if slices.Contains(ims, module+"broker/driver") {
					t.Errorf("feature package %s/%s imports broker/driver: features write through the core's transaction", name, file)
				}
			}
		}
	}
}

// Only the core's record layer (tx.go, orgref.go, import.go) calls the
// driver's write methods; every other file of the core writes through it.
func TestWritesGoThroughTheRecordLayer(t *testing.T) {
	layer := []string{"tx.go", "orgref.go", "import.go"}
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || slices.Contains(layer, f) {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "Create", "Replace", "Delete", "Append", "CreateStream", "Begin":
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && (inner.Sel.Name == "dtx" || inner.Sel.Name == "store") {
					t.Errorf("%s: %s calls the driver's %s outside the record layer", f, fset.Position(call.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
}
