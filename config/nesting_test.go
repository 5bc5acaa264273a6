package config

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// deep is n arrays opened and closed.
func deep(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// deepTables is n inline tables, one inside the other.
func deepTables(n int) string { return strings.Repeat("{a = ", n) + "1" + strings.Repeat("}", n) }

// TestNestingCheckReadsTOMLAsTOML: the configs, which hid two
// million brackets behind a string the old check misread, and their like
// for each kind of string, comment, key and table header, are refused at
// the line and column where the 33rd level opens, in well under a second.
// Before, the check passed them and the decoder died of a stack overflow
// (arrays, 75 s) or took 19 GB (inline tables).
func TestNestingCheckReadsTOMLAsTOML(t *testing.T) {
	const n = 2000000 // as the issue has it
	const m = 100000  // enough to overflow no stack: the decoder's reading shows
	dir := t.TempDir()
	for _, tc := range []struct {
		name, config, want string
	}{
		{"the issue's arrays", `x = ["""q"""", ` + deep(n) + "]\n", "config.toml:1:47: arrays and inline tables nest more than 32 deep"},
		{"the issue's inline tables", `x = ["""q"""", ` + deepTables(n) + "]\n", "config.toml:1:171: arrays and inline tables nest more than 32 deep"},
		{"two quotes before the closing three", `x = ["""q""""", ` + deep(m) + "]\n", "config.toml:1:48: arrays"},
		{"a literal multi-line string with one quote before the end", "x = ['''q'''', " + deep(m) + "]\n", "config.toml:1:47: arrays"},
		{"an escaped quote in a basic string", `x = ["q\"", ` + deep(m) + "]\n", "config.toml:1:44: arrays"},
		{"an escaped backslash before a closing quote", `x = ["q\\", ` + deep(m) + "]\n", "config.toml:1:44: arrays"},
		{"a quote in a comment", "x = [ # \"\n" + deep(m) + "]\n", "config.toml:2:32: arrays"},
		{"a quote in a literal string", `x = ['"', ` + deep(m) + "]\n", "config.toml:1:42: arrays"},
		{"a quoted key with brackets and an escaped quote", `"a]\"[" = ` + deep(m) + "\n", "config.toml:1:43: arrays"},
		{"a table header with a quoted bracket", "[\"a\\\"]\"]\nx = " + deep(m) + "\n", "config.toml:2:37: arrays"},
		{"a multi-line string over lines", "x = \"\"\"\n\"\"\n\\\"\"\"\"\ny = " + deep(m) + "\n", "config.toml:4:37: arrays"},
		{"a byte-order mark", "\ufeffx = " + deep(m) + "\n", "config.toml:1:37: arrays"},
		{"six quotes that the decoder reads as closing", `x = ["""\\"""""", ` + deep(m) + "]\n",
			`config.toml:1:11: 6 " in a row in the multi-line string that opens at line 1; TOML allows at most five`},
		{"a key of two hundred thousand dotted parts", "a" + strings.Repeat(".a", 200000) + " = 1\n", "config.toml:1:9: a key or table name of more than 4 dotted parts"},
		{"a table name of two hundred thousand dotted parts", "[a" + strings.Repeat(".a", 200000) + "]\n", "config.toml:1:10: a key or table name of more than 4 dotted parts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "config.toml")
			os.WriteFile(path, []byte(tc.config), 0o600)
			began := time.Now()
			_, err := Load(path)
			if took := time.Since(began); took > 2*time.Second {
				t.Errorf("took %v to refuse", took)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want %q", err, tc.want)
			}
		})
	}
}

// TestNestingCheckPassesTOML: what TOML allows at the limit, and brackets
// that only strings, comments and keys hold, are read as before.
func TestNestingCheckPassesTOML(t *testing.T) {
	for _, text := range []string{
		"x = " + deep(32) + "\n",
		"x = " + deepTables(32) + "\n",
		"x = [\n  1, # [[[\n  [2, [3]],\n]\n",
		"x = {a = [1, {b = 2}], c = \"[{\"}\n",
		"x = { a = 1, \n # ]\n b = 2, }\n",
		`x = """` + strings.Repeat("[", 40) + `\""""` + "\n",
		"x = '''\n" + strings.Repeat("{", 40) + "'''''\n",
		`x = "` + strings.Repeat("[", 40) + `"` + "\n",
		`"` + strings.Repeat("[", 40) + `" = 1` + "\n",
		"['" + strings.Repeat("[", 40) + "'.b]\nc = 1\n",
		"[[a]]\n[[a]]\nb = 1979-05-27 07:32:00Z # [[[\n",
		"a" + strings.Repeat(".a", MaxKeyParts-1) + " = 1\n",
		"[a" + strings.Repeat(".a", MaxKeyParts-1) + "]\n",
		"x = \"\"\"a\\\n  b\"\"\"\n",
	} {
		if p, ok := checkNesting(text, MaxNesting); !ok {
			t.Errorf("refused %q: %v", text, p)
		}
		var doc map[string]any
		if _, err := toml.Decode(text, &doc); err != nil {
			t.Errorf("the decoder refuses %q: %v", text, err)
		}
	}
}

// fuzzLimit is the nesting limit FuzzNesting checks at: small, so that
// short inputs can pass it.
const fuzzLimit = 3

// FuzzNesting holds the check to the decoder: whatever the check passes,
// the decoder reads no deeper than the limit; whatever TOML the decoder
// reads within the limit, the check passes. Depth in the decoder's terms
// is measured on what it decoded: each array, and each table inside an
// array, is a level it recursed into (a lower bound, for the first
// property); each array or table under a key is at most one (an upper
// bound, for the second).
func FuzzNesting(f *testing.F) {
	for _, seed := range []string{
		`x = ["""q"""", [[[[]]]]]`,
		`x = ["""q"""", {a = {a = {a = {a = 1}}}}]`,
		`x = ['''q'''', [[[[]]]]]`,
		`x = ["q\"", [[[[]]]]]`,
		"x = [ # \"\n[[[[]]]]]",
		`x = ["""\\"""""", [[[[]]]]]`,
		`"a]\"[" = [[[[]]]]`,
		"[\"a\\\"]\"]\nx = [[[[]]]]",
		"x = \"\"\"\n\"\"\n\\\"\"\"\"\ny = [[[[]]]]",
		"x = {a = [1, {b = [2]}], c = \"[{\"}\n[[t]]\ny = 1979-05-27 07:32:00Z\n",
		"x = { a = 1, \n # ]\n b = [[],[]], }\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		problem, passed := checkNesting(text, fuzzLimit)
		var doc map[string]any
		if _, err := toml.Decode(text, &doc); err != nil {
			return
		}
		if low := minDepth(doc, false); passed && low > fuzzLimit {
			t.Fatalf("the check passed %q, which the decoder reads %d deep", text, low)
		}
		nesting := strings.HasPrefix(problem.Msg, "arrays and inline tables nest")
		if high := maxDepth(doc); !passed && nesting && high <= fuzzLimit {
			t.Fatalf("the check refused %q (%v), which the decoder reads as TOML at most %d deep", text, problem, high)
		}
	})
}

// TestNestingAgreesWithTheDecoder holds FuzzNesting's two properties over
// documents built from TOML's tricky parts (quotes before closing quotes,
// escapes, quoted keys and headers with brackets, comments), nested and
// then cut and spliced at random: what the fuzzer takes long to find.
func TestNestingAgreesWithTheDecoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	strs := []string{`"""q""""`, `"""q"""""`, `'''q''''`, `'''q'''''`, `"a\"["`, `"\\"`, `"""\""""`, `"""\\"""`,
		"\"\"\"\n]\\\n\"\"\"", `'\'`, `"{"`, `''`, `""`, "'''\n'''", `"""""a"""""`, `"\u005D"`}
	keys := []string{"a", `"a]b"`, `'a[b'`, `"a\"b"`, "a.b", `a."]".c`, "1", "-"}
	pick := func(l []string) string { return l[rng.IntN(len(l))] }
	var value func(depth int) string
	value = func(depth int) string {
		switch k := rng.IntN(8); {
		case depth < 6 && k < 2:
			var parts []string
			for range rng.IntN(3) + 1 {
				parts = append(parts, value(depth+1))
			}
			sep := pick([]string{", ", ",\n", " , # ]\n"})
			return "[" + strings.Join(parts, sep) + pick([]string{"]", ",]", "\n]"})
		case depth < 6 && k < 4:
			var parts []string
			for i := range rng.IntN(3) + 1 {
				parts = append(parts, fmt.Sprintf("k%d%s = %s", i, pick([]string{"", ".x"}), value(depth+1)))
			}
			return "{" + strings.Join(parts, ", ") + "}"
		case k < 7:
			return pick(strs)
		}
		return pick([]string{"1", "true", "1979-05-27 07:32:00Z", "-0.5"})
	}
	noise := []string{`"`, `'`, `\`, "[", "]", "{", "}", "#", "\n", ",", "=", " ", `"""`, "'''"}
	decoded, refused := 0, 0
	for i := range 8000 {
		var b strings.Builder
		for j := range rng.IntN(4) + 1 {
			switch rng.IntN(4) {
			case 0:
				fmt.Fprintf(&b, "[%s.h%d]\n", pick(keys), j)
			case 1:
				fmt.Fprintf(&b, "[[t%d]] # [[\n", j)
			}
			fmt.Fprintf(&b, "%s.k%d = %s\n", pick(keys), j, value(0))
		}
		text := b.String()
		for range rng.IntN(3) {
			at := rng.IntN(len(text) + 1)
			switch rng.IntN(3) {
			case 0:
				text = text[:at] + pick(noise) + text[at:]
			case 1:
				if at < len(text) {
					text = text[:at] + text[at+1:]
				}
			case 2:
				from := rng.IntN(len(text) + 1)
				text = text[:at] + text[min(from, at):max(from, at)] + text[at:]
			}
		}
		problem, passed := checkNesting(text, fuzzLimit)
		var doc map[string]any
		if _, err := toml.Decode(text, &doc); err != nil {
			continue
		}
		decoded++
		if !passed {
			refused++
		}
		if low := minDepth(doc, false); passed && low > fuzzLimit {
			t.Fatalf("document %d: the check passed %q, which the decoder reads %d deep", i, text, low)
		}
		nesting := strings.HasPrefix(problem.Msg, "arrays and inline tables nest")
		if high := maxDepth(doc); !passed && nesting && high <= fuzzLimit {
			t.Fatalf("document %d: the check refused %q (%v), which the decoder reads at most %d deep", i, text, problem, high)
		}
	}
	// The test means something only if many documents are TOML, of which
	// some nest too deep and some not.
	if decoded < 1500 || refused < 200 || decoded-refused < 200 {
		t.Errorf("%d documents decoded, %d of them refused: too few to tell", decoded, refused)
	}
	t.Logf("%d documents decoded, %d of them refused", decoded, refused)
}

// minDepth counts the levels of v that can only be arrays and inline
// tables: arrays, and tables inside arrays (arrays of tables from headers
// are []map[string]any, not []any).
func minDepth(v any, inArray bool) int {
	deepest := 0
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			deepest = max(deepest, minDepth(e, true))
		}
		return deepest + 1
	case map[string]any:
		for _, e := range v {
			deepest = max(deepest, minDepth(e, false))
		}
		if inArray {
			return deepest + 1
		}
	case []map[string]any:
		for _, e := range v {
			deepest = max(deepest, minDepth(e, false))
		}
	}
	return deepest
}

// maxDepth counts every array and table below the top.
func maxDepth(doc map[string]any) int {
	var depth func(v any) int
	depth = func(v any) int {
		deepest := 0
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				deepest = max(deepest, depth(e))
			}
		case map[string]any:
			for _, e := range v {
				deepest = max(deepest, depth(e))
			}
		case []map[string]any:
			for _, e := range v {
				deepest = max(deepest, depth(e))
			}
		default:
			return 0
		}
		return deepest + 1
	}
	return depth(doc) - 1
}

// checkNesting is scanTOML without the cuts: what the tests of its
// checks ask.
func checkNesting(text string, limit int) (problem nestingProblem, ok bool) {
	_, problem, ok = scanTOML(text, limit)
	return problem, ok
}
