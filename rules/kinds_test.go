package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every kind Evaluate can give is in the table once, with its words and
// tag; the other packages' tests check their share (config: a template
// key per kind; compose: templates, a tag and a case of everykind per
// kind; calendar: a summary per kind). The kinds are read from this
// package's source, so a kind declared and left out of the table fails
// here.
func TestKindTable(t *testing.T) {
	seen := map[Kind]bool{}
	for _, k := range KindTable {
		if k.Kind == None || k.Words == "" || k.Tag == "" || seen[k.Kind] {
			t.Errorf("kind %q: words %q, tag %q, twice %v", k.Kind, k.Words, k.Tag, seen[k.Kind])
		}
		seen[k.Kind] = true
	}
	declared := declaredKinds(t)
	if len(declared) < 5 {
		t.Fatalf("found %d kinds declared; the test reads the source wrongly: %v", len(declared), declared)
	}
	for _, k := range declared {
		if _, ok := k.Info(); !ok && k != None {
			t.Errorf("kind %q is declared but not in KindTable", k)
		}
	}
}

// declaredKinds are the values of the constants of type Kind in this
// package's files.
func declaredKinds(t *testing.T) []Kind {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []Kind
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				v := spec.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Kind" {
					continue
				}
				for _, val := range v.Values {
					lit, ok := val.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: a kind that is not a string literal", fset.Position(val.Pos()))
					}
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, Kind(s))
				}
			}
		}
	}
	return out
}

// What status, log and the pages say of a state and its reminder reads as
// words, from the tables: no id with an underscore, the occasion named.
func TestSay(t *testing.T) {
	for _, c := range []struct {
		state    State
		kind     Kind
		occasion string
		want     string
	}{
		{Due, CheckIn, "", "due: check-in"},
		{Due, OccasionKind, "birthday", "due: birthday"},
		{OK, OccasionKind, "name day", "all good, name day due"},
		{LetBe, LetBeNotice, "", "let be, notice due"},
		{Waiting, FollowUp, "", "waiting for a reply, follow-up due"},
		{CoolingDown, None, "", "cooling down"},
		{LetBe, None, "", "let be"},
		{OK, None, "", "all good"},
	} {
		if got := Say(c.state, c.kind, c.occasion); got != c.want {
			t.Errorf("Say(%s, %s, %q) = %q, want %q", c.state, c.kind, c.occasion, got, c.want)
		}
	}
	for _, s := range StateTable {
		if s.Words == "" || strings.Contains(s.Words, "_") {
			t.Errorf("state %q reads %q", s.State, s.Words)
		}
	}
}
