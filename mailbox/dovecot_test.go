package mailbox

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/internal/testsupport/dovecottest"
	"github.com/rekindle/rekindle/journal"
)

// dovecotSource is an imap source for the test server, with tls and
// port as given.
func dovecotSource(t testing.TB, d *dovecottest.Server, tls string, port int, extra string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("c.toml", []byte(people+fmt.Sprintf(`
[sources.work]
type = "imap"
host = %q
port = %d
tls = %q
username = %q
password = %q
%s`, d.Host, port, tls, d.User, d.Password, extra)))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestDovecot syncs from a real Dovecot over both TLS modes, finds the
// sent folder by its \Sent mark, refuses a certificate it cannot verify
// and survives the server going away.
func TestDovecot(t *testing.T) {
	t.Parallel()
	d := dovecottest.Start(t)
	ctx := context.Background()
	now := time.Now()
	date := func(ago time.Duration) string { return now.Add(-ago).Format(time.RFC1123Z) }
	d.Deliver(t, "INBOX", "1.a", []byte(strings.ReplaceAll(msg("Ana <ana@example.org>", "me@home.example", date(time.Hour), "r1@example.org"), "\n", "\r\n")+"\r\nbody\r\n"))
	d.Deliver(t, "Sent", "2.b", []byte(strings.ReplaceAll(msg("me@home.example", "Bo <bo@example.net>", date(2*time.Hour), "s1@home.example"), "\n", "\r\n")+"\r\nbody\r\n"))
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	run := func(cfg *config.Config) (Result, error) {
		return (&Sync{Source: cfg.Sources["work"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
	}

	// Without the test's authority the certificate does not verify.
	if _, err := run(dovecotSource(t, d, "implicit", d.IMAPS, "")); err == nil || !strings.Contains(err.Error(), "does not verify") || !strings.Contains(hint.Of(err), "ca_file") {
		t.Errorf("an unknown certificate: %v", err)
	}
	ca := fmt.Sprintf("ca_file = %q\n", d.CAFile)
	res, err := run(dovecotSource(t, d, "implicit", d.IMAPS, ca))
	if err != nil || res.Read != 2 || res.Added != 2 {
		t.Fatalf("implicit TLS: %+v, %v", res, err)
	}
	all, _ := j.Events(ctx)
	if len(all["ana-lima"]) != 1 || len(all["bo"]) != 1 || all["bo"][0].Kind != journal.ReachedOut {
		t.Errorf("events %+v", all)
	}
	// STARTTLS on the plain port reads the same account: the state is the
	// source's, so nothing is read again.
	d.Deliver(t, "INBOX", "3.c", []byte(strings.ReplaceAll(msg("bo@example.net", "me@home.example", date(time.Minute), "r2@example.net"), "\n", "\r\n")+"\r\nbody\r\n"))
	res, err = run(dovecotSource(t, d, "starttls", d.IMAP, ca))
	if err != nil || res.Read != 1 || res.Added != 1 {
		t.Errorf("STARTTLS: %+v, %v; want the one new message", res, err)
	}
	// --check finds the folders by their marks, reading no message.
	folders, err := Check(ctx, dovecotSource(t, d, "starttls", d.IMAP, ca).Sources["work"])
	if err != nil || strings.Join(folders, ", ") != "INBOX (inbox), Sent (sent)" {
		t.Errorf("check: %v, %v", folders, err)
	}
	// A wrong password is said as such, without the password. (Last:
	// after one, Dovecot makes this address wait before its next login.)
	cfg := dovecotSource(t, d, "implicit", d.IMAPS, ca)
	cfg.Sources["work"].Spec.(*config.IMAPSpec).Password = mustSecret(t, "not-the-password")
	if _, err := run(cfg); err == nil || !strings.Contains(err.Error(), "refused the login") || strings.Contains(err.Error(), "not-the-password") {
		t.Errorf("a wrong password: %v", err)
	}
	// The server goes away: a clear error.
	d.Kill()
	if _, err := run(dovecotSource(t, d, "implicit", d.IMAPS, ca)); err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("no server: %v", err)
	}
}

func mustSecret(t testing.TB, v string) config.Secret {
	t.Helper()
	f := filepath.Join(t.TempDir(), "s")
	if err := writeFile(f, v); err != nil {
		t.Fatal(err)
	}
	s, err := config.ReadSecret(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Watch idles on Dovecot, hears a delivery, and tells of the connection
// dropping when the server dies.
func TestDovecotWatch(t *testing.T) {
	t.Parallel()
	d := dovecottest.Start(t)
	cfg := dovecotSource(t, d, "implicit", d.IMAPS, fmt.Sprintf("ca_file = %q\n", d.CAFile))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	arrived := make(chan struct{}, 10)
	failed := make(chan error, 10)
	go Watch(ctx, cfg.Sources["work"], func() { arrived <- struct{}{} }, func(err error) { failed <- err })
	deadline := time.After(20 * time.Second)
	for i := 0; ; i++ {
		d.Deliver(t, "INBOX", fmt.Sprintf("%d.w", i), []byte("From: ana@example.org\r\nTo: me@home.example\r\nDate: "+time.Now().Format(time.RFC1123Z)+"\r\n\r\nhi\r\n"))
		select {
		case <-arrived:
		case err := <-failed:
			t.Fatalf("failed: %v", err)
		case <-time.After(500 * time.Millisecond):
			continue
		case <-deadline:
			t.Fatal("Watch never heard of the deliveries")
		}
		break
	}
	d.Kill()
	select {
	case err := <-failed:
		if !strings.Contains(err.Error(), "closed the connection") {
			t.Errorf("the dropped connection: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("Watch did not notice the server going away")
	}
}

// BenchmarkDovecot10k is the first sync of an inbox of 10,000 messages on
// a real Dovecot: headers fetched 500 at a time, memory flat.
func BenchmarkDovecot10k(b *testing.B) {
	d := dovecottest.Start(b)
	now := time.Now()
	for i := range 10000 {
		from := "someone@example.com"
		if i%2 == 0 {
			from = "ana@example.org"
		}
		raw := fmt.Sprintf("From: %s\r\nTo: me@home.example\r\nDate: %s\r\nMessage-ID: <m%d@example.org>\r\nSubject: message %d\r\n\r\n%s\r\n",
			from, now.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z), i, i, strings.Repeat("body text ", 200))
		d.Deliver(b, "INBOX", fmt.Sprintf("%d.m", i), []byte(raw))
	}
	cfg := dovecotSource(b, d, "implicit", d.IMAPS, fmt.Sprintf("ca_file = %q\n", d.CAFile))
	ctx := context.Background()
	for b.Loop() {
		j, err := journal.Open(ctx, filepath.Join(b.TempDir(), "r.db"))
		if err != nil {
			b.Fatal(err)
		}
		var peak uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		res, err := (&Sync{Source: cfg.Sources["work"], People: NewPeople(cfg), Store: j, Now: time.Now()}).Run(ctx)
		close(stop)
		<-sampled
		if err != nil || res.Read != 10000 {
			b.Fatalf("%+v, %v", res, err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		j.Close()
	}
}
