package hint

import (
	"errors"
	"fmt"
	"testing"
)

type quiet struct{ err error }

func (q *quiet) Error() string { return q.err.Error() }
func (q *quiet) Unwrap() error { return q.err }
func (q *quiet) Hint() string  { return "" }

func TestOf(t *testing.T) {
	base := errors.New("cannot connect")
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"none", base, ""},
		{"nil", nil, ""},
		{"own", With(base, "check host"), "check host"},
		{"wrapped", fmt.Errorf("source a: %w", With(base, "check host")), "check host"},
		{"outer first", With(With(base, "inner"), "outer"), "outer"},
		{"an empty hint does not hide a deeper one", &quiet{With(base, "deeper")}, "deeper"},
		{"joined", errors.Join(base, With(base, "second")), "second"},
	}
	for _, c := range cases {
		if got := Of(c.err); got != c.want {
			t.Errorf("%s: Of(%v) = %q, want %q", c.name, c.err, got, c.want)
		}
	}
	if w := With(base, "x"); !errors.Is(w, base) || w.Error() != base.Error() {
		t.Errorf("With changed the error: %v", w)
	}
}
