package notifier

import (
	"strings"
	"testing"

	"github.com/rekindle/rekindle/internal/hint"
)

// TestErrorHintApart: a channel's fix travels through Hint (internal/hint),
// never inside its text.
func TestErrorHintApart(t *testing.T) {
	err := error(&Error{Channel: "phone", Status: 401, Msg: "server answered 401 Unauthorized", Fix: "check token"})
	if h := hint.Of(err); h != "check token" {
		t.Errorf("hint %q, want %q", h, "check token")
	}
	if strings.Contains(err.Error(), "check token") {
		t.Errorf("%q carries its hint in its text", err.Error())
	}
}
