package config

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/rekindle/rekindle/bench/contacts"
)

func bigConfig(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	if err := contacts.Write(&b, 12000, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if b.Len() < parallelFrom {
		t.Fatalf("generated config of %d bytes is too small to split", b.Len())
	}
	return b.String()
}

// cutsOf is where decode would cut src.
func cutsOf(src string) []int {
	cuts, _, _ := scanTOML(src, MaxNesting)
	return cuts
}

// TestDecodeSplitMatchesDecode checks that decoding a large file in pieces
// gives exactly what one toml.Decode gives.
func TestDecodeSplitMatchesDecode(t *testing.T) {
	prev := runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0)))
	defer runtime.GOMAXPROCS(prev)
	src := bigConfig(t)
	// A multi-line string holding a header-like line must not be cut.
	src = strings.Replace(src, "[[contact]]\nname = \"Alice Moreau 0\"\n",
		"[[contact]]\nname = \"Alice Moreau 0\"\naside = \"\"\"\n[[contact]]\nname = \"not a contact\"\n\"\"\"\n", 1)
	if !strings.Contains(src, "not a contact") {
		t.Fatal("the multi-line string was not inserted")
	}
	var want map[string]any
	if _, err := toml.Decode(src, &want); err != nil {
		t.Fatal(err)
	}
	// One piece per worker, and many more pieces than workers.
	defer func(size int) { pieceSize = size }(pieceSize)
	for _, size := range []int{pieceSize, 64 << 10} {
		pieceSize = size
		got, ok := decodeSplit(src, cutsOf(src))
		if !ok {
			t.Fatal("decodeSplit declined a plain contact list")
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pieces of %d bytes: split decode differs from a single decode", size)
		}
		if n := len(got["contact"].([]map[string]any)); n != 12000 {
			t.Errorf("%d contacts; want 12000", n)
		}
	}
}

func TestDecodeSplitDeclines(t *testing.T) {
	big := bigConfig(t)
	tests := map[string]string{
		"table after the contacts":   big + "[channels.late]\ntype = \"console\"\n",
		"sub-table of a contact":     big + "[contact.extra]\nx = 1\n",
		"syntax error in a contact":  big + "[[contact]]\nname = \n",
		"header with a trailing key": big + "[[contact]] x = 1\n",
		"small file":                 "[[contact]]\nname = \"A\"\n",
	}
	for name, src := range tests {
		if _, ok := decodeSplit(src, cutsOf(src)); ok {
			t.Errorf("%s: decodeSplit accepted it; it must leave it to a single decode", name)
		}
	}
	// Declining still gives the right answer and error positions.
	_, err := Parse("big.toml", []byte(big+"[[contact]]\nname = \n"))
	if err == nil || !strings.Contains(err.Error(), "big.toml:") || !strings.Contains(err.Error(), "invalid TOML") {
		t.Errorf("error = %v", err)
	}
	cfg, err := Parse("big.toml", []byte(big+"[channels.late]\ntype = \"console\"\n"))
	if err != nil || cfg.Channels["late"] == nil || len(cfg.Contacts) != 12000 {
		t.Errorf("fallback parse: %v", err)
	}
}

// BenchmarkLoad100k reads a generated config of 100,000 contacts (the
// file of bench/run.sh, made by bench/gen): decoded on all cores, each
// piece's contacts read as soon as it is decoded.
func BenchmarkLoad100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "100k.toml")
	out, err := exec.Command("go", "run", "../bench/gen", "100000").Output()
	if err != nil {
		b.Skip("bench/gen:", err)
	}
	os.WriteFile(path, out, 0o600)
	b.ResetTimer()
	for range b.N {
		cfg, err := Load(path)
		if err != nil || len(cfg.Contacts) != 100000 {
			b.Fatalf("%v, %d contacts", err, len(cfg.Contacts))
		}
	}
}

// TestCuts checks where scanTOML lets a file be cut: at the lines of the
// [[contact]] headers it reads as headers, and nowhere when the file has
// another shape.
func TestCuts(t *testing.T) {
	head := "timezone = \"UTC\"\n[groups.a]\nevery = \"7d\"\n"
	one := "[[contact]]\nname = \"A\"\n"
	tests := []struct {
		name string
		src  string
		want []int
	}{
		{"plain", head + one + one, []int{len(head), len(head + one)}},
		{"indented, with a comment", head + one + "  [[contact]] # b\nname = \"B\"\n", []int{len(head), len(head + one)}},
		{"in a multi-line string", head + "[[contact]]\nname = \"A\"\nnotes = \"\"\"\n[[contact]]\n\"\"\"\n", []int{len(head)}},
		{"in an array", head + "[[contact]]\nname = \"A\"\ninterests = [\n\"x\",\n]\n" + one, []int{len(head), len(head) + 44}},
		{"a sub-table after", head + one + "[contact.dates]\nx = 2020-01-01\n", nil},
		{"a table after", head + one + "[channels.x]\ntype = \"console\"\n", nil},
		{"spaced header", head + one + "[[ contact ]]\nname = \"B\"\n", nil},
		{"not TOML to the end", head + one + "[[contact]]\nname = \n", nil},
		{"a key after the header", head + one + "[[contact]] x = 1\n", nil},
	}
	for _, tt := range tests {
		cuts, _, ok := scanTOML(tt.src, MaxNesting)
		if !ok {
			t.Errorf("%s: refused", tt.name)
		}
		if !reflect.DeepEqual(cuts, tt.want) {
			t.Errorf("%s: cuts %v, want %v", tt.name, cuts, tt.want)
		}
	}
}

// TestParseInPiecesMatchesWhole checks that reading a large file's
// contacts piece by piece, as each is decoded, gives the same config, and
// the same problems in the same order, as reading the file decoded whole
// (one core: no pieces).
func TestParseInPiecesMatchesWhole(t *testing.T) {
	big := bigConfig(t)
	// Problems spread over the pieces: unknown keys, bad values, a
	// duplicate id, an unknown group.
	lines := strings.Split(big, "\n")
	for i, n := 0, 0; i < len(lines); i++ {
		if lines[i] != "[[contact]]" {
			continue
		}
		n++
		switch n % 1500 {
		case 7:
			lines[i] += "\ncolour = \"red\""
		case 300:
			lines[i] += "\nid = \"alice-moreau-0\""
		case 900:
			lines[i] += "\npausd = true\nemail = [\"not an email\"]"
		}
	}
	bad := strings.Join(lines, "\n")
	defer func(size int) { pieceSize = size }(pieceSize)
	pieceSize = 64 << 10
	parse := func(src string, procs int) (*Config, error) {
		prev := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(prev)
		return Parse("big.toml", []byte(src))
	}
	for name, src := range map[string]string{"valid": big, "with problems": bad, "a piece that fails": bad + "[[contact]]\nname = \n"} {
		whole, wholeErr := parse(src, 1)
		split, splitErr := parse(src, 2)
		if fmt.Sprint(splitErr) != fmt.Sprint(wholeErr) {
			t.Errorf("%s: in pieces:\n%v\nwhole:\n%v", name, splitErr, wholeErr)
		}
		if name == "valid" && (wholeErr != nil || len(whole.Contacts) != 12000) {
			t.Fatalf("%s: %v", name, wholeErr)
		}
		if name != "valid" && wholeErr == nil {
			t.Errorf("%s: no error", name)
		}
		if !reflect.DeepEqual(split, whole) {
			t.Errorf("%s: the config read in pieces differs from the one read whole", name)
		}
	}
}
