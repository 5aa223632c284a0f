package charttest

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// Setting is one environment variable a service reads through
// go-envconfig, as its source declares it.
type Setting struct {
	// Name is the variable's full name, the lookuper's prefix and any
	// nested struct's prefix included: GATEWAY_LISTEN_ADDR.
	Name string
	// Field is the Go field it fills, from the configuration struct:
	// Config.Upstream.Addr.
	Field string
	// Type is the field's type as written: string, secret.Secret.
	Type     string
	Required bool
	// Default is the value when the variable is unset, if HasDefault.
	Default    string
	HasDefault bool
}

// Secret reports whether the setting holds a secret: the project types
// every password, token and key as secret.Secret.
func (s Setting) Secret() bool { return s.Type == "secret.Secret" }

// source is the parsed non-test files of one package.
type source struct {
	files  []*ast.File
	types  map[string]ast.Expr // type name → its definition
	consts map[string]*ast.BasicLit
}

func parsePackage(dir string) (*source, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("list go files of %s: %w", dir, err)
	}
	src := &source{types: map[string]ast.Expr{}, consts: map[string]*ast.BasicLit{}}
	fset := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		src.files = append(src.files, f)
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					src.types[s.Name.Name] = s.Type
				case *ast.ValueSpec:
					if gd.Tok != token.CONST {
						continue
					}
					for i, name := range s.Names {
						if i < len(s.Values) {
							if lit, ok := s.Values[i].(*ast.BasicLit); ok {
								src.consts[name.Name] = lit
							}
						}
					}
				}
			}
		}
	}
	if len(src.files) == 0 {
		return nil, fmt.Errorf("no Go files in %s", dir)
	}
	return src, nil
}

// Consts returns the constants of the package in dir whose value is a
// literal, each as its value: a string unquoted, a number as written.
func Consts(dir string) (map[string]string, error) {
	src, err := parsePackage(dir)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(src.consts))
	for name, lit := range src.consts {
		v := lit.Value
		if lit.Kind == token.STRING {
			if v, err = strconv.Unquote(v); err != nil {
				return nil, fmt.Errorf("const %s in %s: %w", name, dir, err)
			}
		}
		out[name] = v
	}
	return out, nil
}

// ServiceSettings returns, by name, the environment variables the command
// in dir reads: it finds the envconfig.PrefixLookuper call, the struct its
// Target points to, and walks that struct's env tags, nested structs and
// their prefix= options included.
func ServiceSettings(dir string) (map[string]Setting, error) {
	src, err := parsePackage(dir)
	if err != nil {
		return nil, err
	}
	prefix, root, err := src.envconfigTarget()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	out := map[string]Setting{}
	if err := src.walk(root, root, prefix, out, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: struct %s has no env tags", dir, root)
	}
	return out, nil
}

// envconfigTarget finds the composite literal that holds both Target: &v
// and Lookuper: envconfig.PrefixLookuper(prefix, …), and returns the
// prefix and the name of v's struct type.
func (s *source) envconfigTarget() (prefix, typeName string, err error) {
	var found []string
	for _, f := range s.files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				var target string
				var lookPrefix string
				var hasPrefix bool
				for _, e := range lit.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					key, _ := kv.Key.(*ast.Ident)
					switch {
					case key == nil:
					case key.Name == "Target":
						if u, ok := kv.Value.(*ast.UnaryExpr); ok && u.Op == token.AND {
							if id, ok := u.X.(*ast.Ident); ok {
								target = id.Name
							}
						}
					case key.Name == "Lookuper":
						call, ok := kv.Value.(*ast.CallExpr)
						if !ok || len(call.Args) == 0 {
							continue
						}
						if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "PrefixLookuper" {
							if p, perr := s.stringValue(call.Args[0]); perr == nil {
								lookPrefix, hasPrefix = p, true
							} else {
								err = perr
							}
						}
					}
				}
				if target == "" || !hasPrefix {
					return true
				}
				t, terr := varType(fn.Body, target)
				if terr != nil {
					err = terr
					return true
				}
				found = append(found, lookPrefix+"\x00"+t)
				return true
			})
		}
	}
	if err != nil {
		return "", "", err
	}
	if len(found) == 0 {
		return "", "", errors.New("no envconfig.ProcessWith with a Target and an envconfig.PrefixLookuper")
	}
	for _, f := range found[1:] {
		if f != found[0] {
			return "", "", fmt.Errorf("several envconfig targets: %q", found)
		}
	}
	prefix, typeName, _ = strings.Cut(found[0], "\x00")
	return prefix, typeName, nil
}

// stringValue resolves a string literal or a constant of the package.
func (s *source) stringValue(e ast.Expr) (string, error) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind == token.STRING {
			return strconv.Unquote(v.Value)
		}
	case *ast.Ident:
		if lit, ok := s.consts[v.Name]; ok && lit.Kind == token.STRING {
			return strconv.Unquote(lit.Value)
		}
	}
	return "", fmt.Errorf("prefix %s is not a string constant", types.ExprString(e))
}

// varType returns the type name of the local variable name declared in
// body: var name T, or name := T{…}.
func varType(body *ast.BlockStmt, name string) (string, error) {
	var typ string
	ast.Inspect(body, func(n ast.Node) bool {
		switch d := n.(type) {
		case *ast.ValueSpec:
			for _, id := range d.Names {
				if id.Name == name && d.Type != nil {
					typ = types.ExprString(d.Type)
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range d.Lhs {
				id, ok := lhs.(*ast.Ident)
				if !ok || id.Name != name || i >= len(d.Rhs) {
					continue
				}
				if lit, ok := d.Rhs[i].(*ast.CompositeLit); ok && lit.Type != nil {
					typ = types.ExprString(lit.Type)
				}
			}
		}
		return typ == ""
	})
	if typ == "" {
		return "", fmt.Errorf("cannot find the type of %s", name)
	}
	return typ, nil
}

// maxDepth bounds the nesting of configuration structs (and so a cycle).
const maxDepth = 8

// walk adds the settings of the struct type typeName under prefix.
func (s *source) walk(typeName, path, prefix string, out map[string]Setting, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%s: structs nested deeper than %d", path, maxDepth)
	}
	st, ok := s.types[typeName].(*ast.StructType)
	if !ok {
		return fmt.Errorf("%s is not a struct type of the package", typeName)
	}
	for _, field := range st.Fields.List {
		var tag string
		if field.Tag != nil {
			raw, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				return fmt.Errorf("%s: tag %s: %w", path, field.Tag.Value, err)
			}
			tag = reflect.StructTag(raw).Get("env")
		}
		names := []string{}
		for _, n := range field.Names {
			names = append(names, n.Name)
		}
		if len(names) == 0 { // embedded
			names = append(names, types.ExprString(field.Type))
		}
		key, opts := parseTag(tag)
		nested := s.localStruct(field.Type)
		for _, name := range names {
			fieldPath := path + "." + name
			switch {
			case nested != "" && key == "":
				// envconfig fills a nested struct's fields under the
				// parent's prefix plus its own prefix= option, if any.
				if err := s.walk(nested, fieldPath, prefix+opts.prefix, out, depth+1); err != nil {
					return err
				}
			case key == "":
				// Not a setting.
			default:
				full := prefix + key
				if prev, dup := out[full]; dup {
					return fmt.Errorf("%s and %s both read %s", prev.Field, fieldPath, full)
				}
				out[full] = Setting{
					Name: full, Field: fieldPath, Type: types.ExprString(field.Type),
					Required: opts.required, Default: opts.def, HasDefault: opts.hasDefault,
				}
			}
		}
	}
	return nil
}

// localStruct returns the name of the package's struct type that e names
// (T or *T), or "".
func (s *source) localStruct(e ast.Expr) string {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return ""
	}
	if _, ok := s.types[id.Name].(*ast.StructType); ok {
		return id.Name
	}
	return ""
}

type tagOptions struct {
	required   bool
	prefix     string
	def        string
	hasDefault bool
}

// parseTag splits an env tag as go-envconfig does: the key, then options
// separated by commas; default= takes the rest of the tag, commas included.
func parseTag(tag string) (string, tagOptions) {
	var o tagOptions
	key, rest, _ := strings.Cut(tag, ",")
	key = strings.TrimSpace(key)
	for rest != "" {
		var opt string
		opt, rest, _ = strings.Cut(rest, ",")
		opt = strings.TrimLeft(opt, " ")
		switch {
		case strings.HasPrefix(opt, "default="):
			o.def, o.hasDefault = strings.TrimPrefix(opt, "default=")+restWithComma(rest), true
			rest = ""
		case strings.HasPrefix(opt, "prefix="):
			o.prefix = strings.TrimPrefix(opt, "prefix=")
		case strings.TrimSpace(opt) == "required":
			o.required = true
		}
	}
	return key, o
}

func restWithComma(rest string) string {
	if rest == "" {
		return ""
	}
	return "," + rest
}

// RepoRoot returns the repository's root: the nearest directory above the
// working directory that holds go.work.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory")
		}
		dir = parent
	}
}
