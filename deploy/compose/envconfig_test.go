package compose

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// envConfig is what a service's go-envconfig struct reads from the
// environment: every variable's full name (the service's prefix included)
// and whether it is required.
type envConfig struct {
	prefix   string
	required map[string]bool // full name -> `required` option
}

// readEnvConfig reads the go-envconfig configuration of the command in dir
// from its source: the struct of package main with env tags that no other
// such struct contains, its nested structs (with their prefix= options), and
// the prefix main passes to envconfig.PrefixLookuper. Package main cannot be
// imported, hence go/parser.
func readEnvConfig(dir string) (envConfig, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return envConfig{}, fmt.Errorf("read %s: %w", dir, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return envConfig{}, fmt.Errorf("parse %s: %w", name, err)
		}
		if f.Name.Name == "main" {
			files = append(files, f)
		}
	}
	src := newConfigSource(files)
	prefix, err := src.prefix()
	if err != nil {
		return envConfig{}, fmt.Errorf("%s: %w", dir, err)
	}
	root, err := src.root()
	if err != nil {
		return envConfig{}, fmt.Errorf("%s: %w", dir, err)
	}
	cfg := envConfig{prefix: prefix, required: map[string]bool{}}
	if err := src.walk(root, prefix, cfg.required, nil); err != nil {
		return envConfig{}, fmt.Errorf("%s: %w", dir, err)
	}
	return cfg, nil
}

// configSource is the declarations of a package's files that
// readEnvConfig needs.
type configSource struct {
	files   []*ast.File
	structs map[string]*ast.StructType
	consts  map[string]string // string constants, unquoted
}

func newConfigSource(files []*ast.File) configSource {
	src := configSource{files: files, structs: map[string]*ast.StructType{}, consts: map[string]string{}}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if st, ok := s.Type.(*ast.StructType); ok {
						src.structs[s.Name.Name] = st
					}
				case *ast.ValueSpec:
					if gd.Tok != token.CONST {
						continue
					}
					for i, name := range s.Names {
						if i < len(s.Values) {
							if lit, ok := s.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								if v, err := strconv.Unquote(lit.Value); err == nil {
									src.consts[name.Name] = v
								}
							}
						}
					}
				}
			}
		}
	}
	return src
}

// prefix returns the first argument of the package's calls to
// envconfig.PrefixLookuper, a string literal or constant; every call must
// pass the same one.
func (src configSource) prefix() (string, error) {
	var prefixes []string
	var bad error
	for _, f := range src.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "PrefixLookuper" {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "envconfig" {
				return true
			}
			switch arg := call.Args[0].(type) {
			case *ast.BasicLit:
				v, err := strconv.Unquote(arg.Value)
				if err != nil {
					bad = fmt.Errorf("envconfig.PrefixLookuper: %w", err)
					return false
				}
				prefixes = append(prefixes, v)
			case *ast.Ident:
				v, ok := src.consts[arg.Name]
				if !ok {
					bad = fmt.Errorf("envconfig.PrefixLookuper(%s, ...): not a string constant of the package", arg.Name)
					return false
				}
				prefixes = append(prefixes, v)
			default:
				bad = fmt.Errorf("envconfig.PrefixLookuper: prefix is neither a string literal nor a constant")
				return false
			}
			return true
		})
	}
	if bad != nil {
		return "", bad
	}
	slices.Sort(prefixes)
	prefixes = slices.Compact(prefixes)
	if len(prefixes) != 1 {
		return "", fmt.Errorf("want one prefix passed to envconfig.PrefixLookuper, found %q", prefixes)
	}
	return prefixes[0], nil
}

// root returns the configuration struct: the one struct with env tags that
// no other struct with env tags holds as a field.
func (src configSource) root() (string, error) {
	tagged := map[string]bool{}
	for name, st := range src.structs {
		for _, field := range st.Fields.List {
			if _, ok := envTag(field); ok {
				tagged[name] = true
				break
			}
		}
	}
	nested := map[string]bool{}
	for name := range tagged {
		for _, field := range src.structs[name].Fields.List {
			if t, ok := localType(field.Type); ok {
				nested[t] = true
			}
		}
	}
	var roots []string
	for name := range tagged {
		if !nested[name] {
			roots = append(roots, name)
		}
	}
	slices.Sort(roots)
	if len(roots) != 1 {
		return "", fmt.Errorf("want one configuration struct with env tags, found %q", roots)
	}
	return roots[0], nil
}

// walk adds to vars every variable that struct name reads under prefix, as
// go-envconfig does: a field with a name in its tag is a variable; a field
// of struct type without one is read field by field, its tag's prefix=
// appended to prefix. seen guards against a struct that holds itself.
func (src configSource) walk(name, prefix string, vars map[string]bool, seen []string) error {
	if slices.Contains(seen, name) {
		return fmt.Errorf("struct %s holds itself (%s)", name, strings.Join(seen, " > "))
	}
	seen = append(seen, name)
	for _, field := range src.structs[name].Fields.List {
		if len(field.Names) > 0 && !slices.ContainsFunc(field.Names, func(n *ast.Ident) bool { return n.IsExported() }) {
			continue // go-envconfig cannot set unexported fields
		}
		tag, tagged := envTag(field)
		opt := parseEnvTag(tag)
		if opt.name != "" {
			vars[prefix+opt.name] = opt.required
			continue
		}
		typ, local := localType(field.Type)
		if local {
			if _, ok := src.structs[typ]; ok {
				if err := src.walk(typ, prefix+opt.prefix, vars, seen); err != nil {
					return err
				}
				continue
			}
		}
		if tagged {
			return fmt.Errorf("struct %s: field %s has an env tag without a name, and its type is no struct of the package", name, fieldName(field))
		}
		if _, isSel := unstar(field.Type).(*ast.SelectorExpr); isSel {
			// A struct of another package would be read field by field,
			// with variables this test cannot see.
			return fmt.Errorf("struct %s: untagged field %s has a type of another package", name, fieldName(field))
		}
	}
	return nil
}

// envOptions are the parts of a go-envconfig tag this test needs.
type envOptions struct {
	name     string
	required bool
	prefix   string
}

// parseEnvTag parses a tag's env value as go-envconfig does: the name, then
// options; default= takes the rest of the value, commas included.
func parseEnvTag(tag string) envOptions {
	parts := strings.Split(tag, ",")
	opt := envOptions{name: strings.TrimSpace(parts[0])}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		switch {
		case p == "required":
			opt.required = true
		case strings.HasPrefix(p, "prefix="):
			opt.prefix = strings.TrimPrefix(p, "prefix=")
		case strings.HasPrefix(p, "default="):
			return opt
		}
	}
	return opt
}

func envTag(field *ast.Field) (string, bool) {
	if field.Tag == nil {
		return "", false
	}
	raw, err := strconv.Unquote(field.Tag.Value)
	if err != nil {
		return "", false
	}
	return reflect.StructTag(raw).Lookup("env")
}

// localType returns the name of a field's type when it is a type of the
// package itself (T or *T).
func localType(expr ast.Expr) (string, bool) {
	if id, ok := unstar(expr).(*ast.Ident); ok {
		return id.Name, true
	}
	return "", false
}

func unstar(expr ast.Expr) ast.Expr {
	if s, ok := expr.(*ast.StarExpr); ok {
		return s.X
	}
	return expr
}

func fieldName(field *ast.Field) string {
	if len(field.Names) == 0 {
		return "(embedded)"
	}
	return field.Names[0].Name
}

// TestReadEnvConfig runs readEnvConfig on small packages: nested structs,
// prefixes, required fields, defaults with commas, the prefix as a literal
// or a constant, and the packages it must refuse.
func TestReadEnvConfig(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    envConfig
		wantErr string
	}{
		{
			name: "nested structs and prefixes",
			src: `package main
import "github.com/sethvargo/go-envconfig"
const envPrefix = "SVC_"
type Config struct {
	Addr     string ` + "`env:\"ADDR, default=a:1,b:2\"`" + `
	Password string ` + "`env:\"PASSWORD, required\"`" + `
	DB       Database ` + "`env:\", prefix=DB_\"`" + `
	Limits
	*Extra
	hidden string
}
type Database struct {
	User string ` + "`env:\"USER,required\"`" + `
	Pool Pool ` + "`env:\",prefix=POOL_\"`" + `
}
type Pool struct {
	Size int ` + "`env:\"SIZE\"`" + `
}
type Limits struct {
	Max int ` + "`env:\"MAX, default=3\"`" + `
}
type Extra struct {
	On bool ` + "`env:\"ON\"`" + `
}
func load() { _ = envconfig.PrefixLookuper(envPrefix, nil) }
`,
			want: envConfig{prefix: "SVC_", required: map[string]bool{
				"SVC_ADDR": false, "SVC_PASSWORD": true, "SVC_DB_USER": true,
				"SVC_DB_POOL_SIZE": false, "SVC_MAX": false, "SVC_ON": false,
			}},
		},
		{
			name: "literal prefix",
			src: `package main
import "github.com/sethvargo/go-envconfig"
type config struct {
	Addr string ` + "`env:\"ADDR\"`" + `
}
func load() { _ = envconfig.PrefixLookuper("X_", nil) }
`,
			want: envConfig{prefix: "X_", required: map[string]bool{"X_ADDR": false}},
		},
		{
			name: "no prefix",
			src: `package main
type Config struct {
	Addr string ` + "`env:\"ADDR\"`" + `
}
`,
			wantErr: "want one prefix",
		},
		{
			name: "two configuration structs",
			src: `package main
import "github.com/sethvargo/go-envconfig"
type A struct {
	X string ` + "`env:\"X\"`" + `
}
type B struct {
	Y string ` + "`env:\"Y\"`" + `
}
func load() { _ = envconfig.PrefixLookuper("P_", nil) }
`,
			wantErr: "want one configuration struct",
		},
		{
			name: "struct of another package",
			src: `package main
import (
	"net/url"
	"github.com/sethvargo/go-envconfig"
)
type Config struct {
	X   string ` + "`env:\"X\"`" + `
	URL url.URL
}
func load() { _ = envconfig.PrefixLookuper("P_", nil) }
`,
			wantErr: "type of another package",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			// A test file's struct is no part of the configuration.
			test := "package main\ntype T struct {\n\tZ string `env:\"Z\"`\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "main_test.go"), []byte(test), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readEnvConfig(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("readEnvConfig: got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("readEnvConfig: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("readEnvConfig:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
