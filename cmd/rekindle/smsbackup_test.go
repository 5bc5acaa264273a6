package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rekindle/rekindle/internal/testsupport/loopback"
)

// smsBackupMail is a message as SMS Backup+ writes it into its folders:
// a text (datatype SMS, type 1 received or 2 sent) or a call (CALLLOG,
// type 1 incoming, 2 outgoing, 3 missed) with the other party's number,
// its time in milliseconds and a call's duration in seconds.
func smsBackupMail(datatype, number string, typ int, at time.Time, seconds int) string {
	me, other := "me <me@gmail.com>", "Someone <"+number+"@unknown.email>"
	from, to := other, me
	if typ == 2 {
		from, to = me, other
	}
	subject, extra := "SMS with Someone", "X-smssync-thread: 3\r\nX-smssync-read: 1\r\nX-smssync-status: -1\r\nX-smssync-protocol: 0\r\n"
	if datatype == "CALLLOG" {
		subject, extra = "Call with Someone", fmt.Sprintf("X-smssync-duration: %d\r\n", seconds)
	}
	return fmt.Sprintf("Subject: %s\r\nFrom: %s\r\nTo: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"References: <a1b2c3.3@sms-backup-plus.local>\r\nMessage-ID: <%x@sms-backup-plus.local>\r\n"+
		"X-smssync-address: %s\r\nX-smssync-datatype: %s\r\nX-smssync-backup-time: 7 Dec 2026 08:00:00 GMT\r\nX-smssync-version: 1571\r\n"+
		"Date: %s\r\nX-smssync-id: 42\r\nX-smssync-type: %d\r\nX-smssync-date: %d\r\n%s\r\nThe text itself, private.\r\n",
		subject, from, to, at.UnixNano(), number, datatype, at.Format(time.RFC1123Z), typ, at.UnixMilli(), extra)
}

// TestSMSBackupEndToEnd: the real binary reads SMS Backup+'s folders of a
// Maildir. A call with Mum makes her check-in go away; a text the user
// sent Bo puts him into waiting, with a follow-up pending; status and
// plan and the dashboard say the same; a dry run explains each call and text without a
// number or a word of it.
func TestSMSBackupEndToEnd(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	port := loopback.FreePort(t)
	e := newEnv(t, "timezone = \"UTC\"\nregion = \"GB\"\n"+fmt.Sprintf("listen = \"127.0.0.1:%d\"\n", port)+
		"[sources.phone]\ntype = \"maildir\"\npath = \"mail\"\nphone = [\"SMS\", \"Call log\"]\n"+
		"[[contact]]\nname = \"Mum\"\nphone = [\"07700 900123\"]\nevery = \"7d\"\nlast_interaction = 2026-01-01\n"+
		"[[contact]]\nname = \"Bo\"\nphone = [\"+49 151 23456789\"]\nevery = \"60d\"\nlast_interaction = "+now.AddDate(0, 0, -10).Format("2006-01-02")+"\n")
	mail := filepath.Join(e.dir, "mail")
	for _, d := range []string{"cur", "new", ".Sent/cur", ".SMS/cur", ".SMS/new", ".Call log/cur", ".Call log/new"} {
		os.MkdirAll(filepath.Join(mail, d), 0o700)
	}
	call, missed, text := now.Add(-3*time.Hour), now.Add(-2*time.Hour), now.Add(-time.Hour)
	for name, m := range map[string]string{
		".Call log/cur/1.a:2,S": smsBackupMail("CALLLOG", "+447700900123", 2, call, 840), // 14 minutes with Mum
		".Call log/cur/2.b:2,S": smsBackupMail("CALLLOG", "07700900123", 3, missed, 0),   // hers, missed
		".SMS/cur/3.c:2,S":      smsBackupMail("SMS", "+4915123456789", 2, text, 0),      // to Bo
	} {
		if err := os.WriteFile(filepath.Join(mail, name), []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := e.command(t, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("rekindle %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	type person struct {
		ID, State string
		Kind      *string
		Next      *time.Time
		Reason    string
	}
	status := func() map[string]person {
		t.Helper()
		var ps []person
		if err := json.Unmarshal([]byte(run("status", "--json")), &ps); err != nil {
			t.Fatal(err)
		}
		out := map[string]person{}
		for _, p := range ps {
			out[p.ID] = p
		}
		return out
	}
	if s := status(); s["mum"].State != "due" || s["bo"].State != "ok" {
		t.Fatalf("before the sync: %+v", s)
	}

	check := run("sync", "--check")
	if !strings.Contains(check, filepath.Join(mail, ".SMS")+" (phone), "+filepath.Join(mail, ".Call log")+" (phone)") {
		t.Errorf("sync --check:\n%s", check)
	}
	dry := run("sync", "--dry-run")
	for _, want := range []string{
		"phone  phone  " + call.Format("2006-01-02 15:04") + "  talked       mum",
		"phone  phone  " + missed.Format("2006-01-02 15:04") + "  ignored      a call missed",
		"phone  phone  " + text.Format("2006-01-02 15:04") + "  reached-out  bo",
		"phone: 3 messages read, 2 used, 1 ignored, 0 unreadable; nothing written (dry run)",
	} {
		if !strings.Contains(dry, want) {
			t.Errorf("sync --dry-run lacks %q:\n%s", want, dry)
		}
	}
	for _, private := range []string{"7700", "private", "Someone"} {
		if strings.Contains(dry, private) {
			t.Errorf("sync --dry-run shows %q:\n%s", private, dry)
		}
	}
	if out := run("sync"); !strings.Contains(out, "phone: 3 messages read, 2 used, 1 ignored, 0 unreadable; 2 events learned") {
		t.Errorf("sync:\n%s", out)
	}

	s := status()
	mum, bo := s["mum"], s["bo"]
	if mum.State != "ok" || mum.Next == nil || !mum.Next.Equal(call.Truncate(time.Second).AddDate(0, 0, 7)) {
		t.Errorf("Mum after the call: %+v; want ok until a week after it", mum)
	}
	if bo.State != "waiting" || bo.Next == nil || !bo.Next.Equal(text.Truncate(time.Second).Add(48*time.Hour)) {
		t.Errorf("Bo after the text: %+v; want waiting, the follow-up two days after it", bo)
	}

	// plan agrees: over the next four days Bo's follow-up comes at the
	// first run after his wait ends, and Mum is not reminded at all.
	var plan []struct {
		At       time.Time
		ID, Kind string
	}
	if err := json.Unmarshal([]byte(run("plan", "--json", "--days", "4")), &plan); err != nil {
		t.Fatal(err)
	}
	var bos int
	for _, p := range plan {
		switch {
		case p.ID == "mum":
			t.Errorf("plan reminds Mum after the call: %+v", p)
		case p.ID == "bo" && p.Kind == "follow_up":
			bos++
			if p.At.Before(*bo.Next) || p.At.After(bo.Next.Add(24*time.Hour)) {
				t.Errorf("plan's follow-up for Bo at %s; status says it is due from %s", p.At, bo.Next)
			}
		}
	}
	if bos == 0 {
		t.Errorf("plan has no follow-up for Bo: %+v", plan)
	}

	// The dashboard (read-only on this machine) puts each where status
	// does, with the same words.
	p := e.start(t)
	p.waitLog(t, "msg=serving", 10*time.Second)
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p.stop(t)
	section := map[string]string{}
	for _, part := range strings.Split(string(page), `<section class="group `)[1:] {
		class, _, _ := strings.Cut(part, `"`)
		for _, who := range []person{mum, bo} {
			if i := strings.Index(part, `data-id="`+who.ID+`"`); i >= 0 {
				section[who.ID] = class
				if li, _, _ := strings.Cut(part[i:], "</li>"); !strings.Contains(li, html.EscapeString(who.Reason)) {
					t.Errorf("the dashboard says of %s:\n%s\nstatus: %s", who.ID, li, who.Reason)
				}
			}
		}
	}
	if section["mum"] != "ok" || section["bo"] != "waiting" {
		t.Errorf("the dashboard's sections %v; want Mum all good, Bo waiting\n%s", section, page)
	}
}
