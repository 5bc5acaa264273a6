package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/notifytest"
)

func TestMSTeams(t *testing.T) {
	srv := notifytest.NewTeams()
	defer srv.Close()
	ctx := context.Background()
	// The seam: a Workflows URL (https), sent to the test server by the
	// channel's http.Client.
	o := Options{HTTPClient: notifytest.Redirect(srv.Server)}
	cfg := func(sig string) string {
		return fmt.Sprintf("[channels.teams]\ntype = \"msteams\"\nwebhook_url = \"https://prod-42.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=%s\"\n", sig)
	}
	msg := sample
	msg.Links = []Link{{Label: "Open Alice in rekindle", URL: "https://r.example.org/people/alice?t=1.x"}}
	ch := channel(t, cfg("right-signature"), o)
	if err := ch.Deliver(ctx, msg); err != nil {
		t.Fatal(err)
	}
	card, _ := json.Marshal(srv.Cards()[0])
	for _, want := range []string{"AdaptiveCard", "Time to catch up with Alice", "It has been 41 days \\u0026 counting.", "[Open Alice in rekindle](https://r.example.org/people/alice?t=1.x)"} {
		if !strings.Contains(string(card), want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}
	srv.Answer(429, 502)
	e := failure(t, ch.Deliver(ctx, msg), true, "server answered 429 Too Many Requests")
	if e.RetryAfter != 30*time.Second {
		t.Errorf("Retry-After %v; want 30s", e.RetryAfter)
	}
	failure(t, ch.Deliver(ctx, msg), true, "server answered 502")
	e = failure(t, channel(t, cfg("wrong-signature"), o).Deliver(ctx, msg), false, "server answered 401 Unauthorized")
	if !strings.Contains(e.Hint(), "webhook_url") || strings.Contains(e.Error()+fmt.Sprint(e.Err), "wrong-signature") {
		t.Errorf("bad signature: %v (hint %q)", e, e.Hint())
	}
	srv.Close()
	e = failure(t, ch.Deliver(ctx, msg), true, "")
	if strings.Contains(e.Error()+fmt.Sprint(e.Err), "right-signature") {
		t.Errorf("the URL's signature shows: %v", e)
	}
}
