package notifier

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestConsoleShowsNoEscapes: a reminder whose name carries a clipboard
// write (OSC 52), a title change, C1 CSI and a right-to-left override is
// written without them (it goes to a terminal, or to a log read on one).
func TestConsoleShowsNoEscapes(t *testing.T) {
	var out bytes.Buffer
	c := newConsole("console", Options{Stdout: &out})
	name := "Eve\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;owned\x07\u009b2J\r\u202egnp.exe"
	if err := c.Deliver(context.Background(), Message{Title: "Time to reach out to " + name, Lead: "It has been a while since you talked with " + name + "."}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "Eve]52;c;cm0gLXJmIH4=]0;owned2Jgnp.exe") {
		t.Fatalf("the reminder reads %q", got)
	}
	if strings.ContainsAny(got, "\x1b\x07\r\u009b\u202e") {
		t.Errorf("the reminder carries escapes: %q", got)
	}
}
