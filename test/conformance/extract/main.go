// Command extract turns the table-driven CEL tests of the pinned Kubernetes
// modules into JSON data under test/fixtures/k8s-cel/raw/. For each test
// file it copies the module from the Go module cache into a temporary
// directory, inserts after each listed test's table a call that writes the
// table (reflection, unexported fields included; schemas as OpenAPI JSON,
// CEL values with their type name) and returns, then runs those tests.
// Nothing of the Go code is kept: only the tables' data.
//
// Run: cd test/conformance/extract && go run .
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed dump.go.tmpl
var dumpTemplate string

const version = "v0.37.2"

type source struct {
	module string // k8s.io/apiextensions-apiserver
	pkg    string // pkg/apiserver/schema/cel
	file   string // validation_test.go
	tests  []string
}

var sources = []source{
	{"k8s.io/apiextensions-apiserver", "pkg/apiserver/schema/cel", "validation_test.go", []string{
		"TestValidationExpressions", "TestValidationExpressionsAtSchemaLevels", "TestCELValidationLimit", "TestMessageExpression",
		"TestReasonAndFldPath", "TestRatcheting", "TestOptionalOldSelf", "TestOptionalOldSelfCheckForNull", "TestOptionalOldSelfIsOptionalType",
	}},
	{"k8s.io/apiextensions-apiserver", "pkg/apiserver/schema/cel", "compilation_test.go", []string{"TestCelCompilation", "TestCostEstimation"}},
	{"k8s.io/apiserver", "pkg/cel/library", "quantity_test.go", []string{"TestQuantity"}},
	{"k8s.io/apiserver", "pkg/cel/library", "ip_test.go", []string{"TestIP"}},
	{"k8s.io/apiserver", "pkg/cel/library", "cidr_test.go", []string{"TestCIDR"}},
	{"k8s.io/apiserver", "pkg/cel/library", "semver_test.go", []string{"TestSemver"}},
	{"k8s.io/apiserver", "pkg/cel/library", "format_test.go", []string{"TestFormat"}},
}

func main() {
	out, err := filepath.Abs("../../fixtures/k8s-cel/raw")
	must(err)
	must(os.MkdirAll(out, 0o755))
	modCache := strings.TrimSpace(run("", "go", "env", "GOMODCACHE"))
	for _, s := range sources {
		tmp, err := os.MkdirTemp("", "pcl-extract-")
		must(err)
		src := filepath.Join(modCache, s.module+"@"+version)
		run("", "cp", "-r", src+"/.", tmp)
		run("", "chmod", "-R", "u+w", tmp)
		dir := filepath.Join(tmp, s.pkg)
		pkgName := rewrite(filepath.Join(dir, s.file), s.tests)
		must(os.WriteFile(filepath.Join(dir, "zz_pcl_dump_test.go"), []byte(strings.Replace(dumpTemplate, "package PACKAGE", "package "+pkgName, 1)), 0o644))
		// Other test files of the package may hold helpers; only the listed tests run.
		dump, err := os.MkdirTemp("", "pcl-dump-")
		must(err)
		cmd := exec.Command("go", "test", "-vet=off", "-count=1", "-run", "^("+strings.Join(s.tests, "|")+")$", "./"+s.pkg)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "PCL_DUMP_DIR="+dump, "GOFLAGS=-mod=mod")
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "%s %s: %v\n%s\n", s.module, s.file, err, b)
			os.Exit(1)
		}
		for _, name := range s.tests {
			b, err := os.ReadFile(filepath.Join(dump, name+".json"))
			must(err)
			var table interface{}
			must(json.Unmarshal(b, &table))
			doc := map[string]interface{}{
				"source": fmt.Sprintf("%s@%s/%s/%s", s.module, version, s.pkg, s.file),
				"test":   name,
				"note":   "extracted by test/conformance/extract (the table's data only)",
				"cases":  table,
			}
			b, err = json.MarshalIndent(doc, "", " ")
			must(err)
			must(os.WriteFile(filepath.Join(out, name+".json"), append(b, '\n'), 0o644))
			fmt.Printf("%s: %s\n", name, filepath.Join(out, name+".json"))
		}
		os.RemoveAll(tmp)
		os.RemoveAll(dump)
	}
}

// rewrite inserts `pclDump(t, "<Test>", <table>); return` after the first
// `x := []struct{...}{...}` of each listed test function; it returns the
// file's package name.
func rewrite(path string, tests []string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	must(err)
	wanted := map[string]bool{}
	for _, t := range tests {
		wanted[t] = true
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || !wanted[fn.Name.Name] {
			continue
		}
		for i, stmt := range fn.Body.List {
			as, ok := stmt.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
				continue
			}
			lit, ok := as.Rhs[0].(*ast.CompositeLit)
			if !ok {
				continue
			}
			if _, ok := lit.Type.(*ast.ArrayType); !ok {
				continue
			}
			name := as.Lhs[0].(*ast.Ident).Name
			call, err := parser.ParseExpr(fmt.Sprintf("pclDump(t, %q, %s)", fn.Name.Name, name))
			must(err)
			inserted := []ast.Stmt{&ast.ExprStmt{X: call}, &ast.ReturnStmt{}}
			fn.Body.List = append(fn.Body.List[:i+1], append(inserted, fn.Body.List[i+1:]...)...)
			delete(wanted, fn.Name.Name)
			break
		}
	}
	for name := range wanted {
		fmt.Fprintf(os.Stderr, "%s: no table found in %s\n", name, path)
		os.Exit(1)
	}
	var buf bytes.Buffer
	must(printer.Fprint(&buf, fset, f))
	must(os.WriteFile(path, buf.Bytes(), 0o644))
	return f.Name.Name
}

func run(dir string, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s %v: %v\n%s\n", name, args, err, b)
		os.Exit(1)
	}
	return string(b)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
