package deliver

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rekindle/rekindle/internal/redact"
	"github.com/rekindle/rekindle/internal/testsupport/leak"
	"github.com/rekindle/rekindle/notifier"
)

// TestFailuresKeepNoSecret: a channel's failure that shows the secret of
// another channel (a server that echoes what it got in a form the channel
// itself did not cut) is cut out by the config's Redactor before it is
// stored in the outbox and before the failure notice goes to the other
// channels.
func TestFailuresKeepNoSecret(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const secret = "mail-password-123"
		basic := base64.StdEncoding.EncodeToString([]byte("me@example.org:" + secret))
		bad := &notifier.Error{Channel: "phone", Status: 401, Msg: "server answered 401: you sent Basic " + basic, Fix: "not " + secret}
		slow := &notifier.Error{Channel: "pager", Retryable: true, Msg: "server answered 503: " + url.QueryEscape(secret)}
		phone := &scripted{name: "phone", errs: []error{bad}}
		pager := &scripted{name: "pager", errs: []error{slow}}
		mail := &scripted{name: "mail"}
		f := start(t, phone, pager, mail)
		r := redact.New()
		r.AddLogin("me@example.org", secret)
		f.d.Redact = func() *redact.Redactor { return r }
		f.enqueue(t, "alice", false, "phone", "pager", "mail")
		time.Sleep(time.Second)
		synctest.Wait()
		all, _ := f.j.Deliveries(context.Background(), "", 0)
		kept := 0
		for _, d := range all {
			if d.LastError != "" {
				kept++
			}
			if leak.Shows(d.LastError, secret) {
				t.Errorf("the outbox keeps %q", d.LastError)
			}
		}
		if kept != 2 {
			t.Errorf("%d rows keep an error; want the phone's and the pager's", kept)
		}
		notices := 0
		for _, m := range append(mail.received(), pager.received()...) {
			if strings.Contains(m.Title, "is failing") {
				notices++
				if leak.Shows(m.Title+m.Lead, secret) || !strings.Contains(m.Lead, redact.Mark) {
					t.Errorf("the notice shows the secret: %s", m.Lead)
				}
			}
		}
		if notices == 0 {
			t.Error("no failure notice")
		}
		f.stop(t)
	})
}
