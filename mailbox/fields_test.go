package mailbox

import (
	"net/mail"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// headerBlocks are header blocks net/mail reads in every way it can:
// well formed, folded, with fields rekindle reads and fields it does
// not, and each way net/mail refuses one.
var headerBlocks = []string{
	"From: Ana <ana@example.org>\r\nTo: me@home.example\r\nDate: Mon, 30 Nov 2026 18:00:00 +0000\r\n\r\nbody\r\n",
	"Received: from a\r\n\tby b;\r\n Mon, 30 Nov 2026\r\nFrom: ana@example.org\r\nDKIM-Signature: v=1;\r\n\tb=xyz\r\nTo: a@x.example,\r\n\tb@x.example\r\n\r\n",
	"from: ana@example.org\nTO: me@home.example\nmessage-id: <x@y>\nSUBJECT: Automatic reply: gone\n\nbody",
	"From : ana@example.org\r\nFrom:bo@example.net\r\nTo: me@home.example\r\n\r\n",
	"Feedbac\u212a-ID: 1\r\nFeedback-Id: 2\r\nFrom: a@b.example\r\n\r\n",
	":empty name\r\nFrom: a@b.example\r\n\r\n",
	" starts folded\r\nFrom: a@b.example\r\n\r\n",
	"From: a@b.example\r\nno colon here\r\nTo: c@d.example\r\n\r\n",
	"From: a@b.example\r\n\r\r\nTo: c@d.example\r\n\r\n",
	"From: a@b.example\r\nTo: c@d.example\r\n", // no blank line: the file ends
	"From: a@b.example\r\nTo: c@d.example",     // nor a line end
	"X-Received: x\r\n\r\n",
	"\r\nFrom: a@b.example\r\n",
	"",
	"From: a@b.example\r\nSubject: " + strings.Repeat("long ", 2000) + "\r\n\tfolded " + strings.Repeat("x", 5000) + "\r\n\r\n",
	"Received: " + strings.Repeat("y", 9000) + "\r\nFrom: a@b.example\r\nTo: <<<\r\n\r\n",
	"From: a@b.example\r\nTo: c@d.example\r\n \r\n\t\r\nCc: e@f.example\r\n\r\n",
	"From: a@b.example\r\nX-Spam-Status: Yes, score=9\r\nAuthentication-Results: mx;\r\n dmarc=fail header.from=b.example\r\nDate: not a date\r\n\n",
}

// The header reader hands ParseHeader what net/mail's own reading does,
// and fails where and as it fails; the address lines it knows already are
// read as they were the first time.
func TestHeaderReaderReadsAsNetMail(t *testing.T) {
	t.Parallel()
	hr := newHeaderReader()
	for range 2 { // the second time, the address lines are known
		for _, raw := range headerBlocks {
			checkAsNetMail(t, hr, raw)
		}
	}
}

func checkAsNetMail(t *testing.T, hr *headerReader, raw string) {
	t.Helper()
	var want Header
	var wantErr error
	if m, err := mail.ReadMessage(strings.NewReader(raw)); err != nil {
		wantErr = err
	} else {
		want, wantErr = ParseHeader(m.Header)
	}
	var got Header
	gotm, gotErr := hr.read(strings.NewReader(raw))
	if gotErr == nil {
		got, gotErr = parseHeader(gotm, hr.addrs)
	}
	if errString(gotErr) != errString(wantErr) || !reflect.DeepEqual(got, want) {
		t.Errorf("%.80q:\n got %+v, %v\nwant %+v, %v", raw, got, gotErr, want, wantErr)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func FuzzHeaderReader(f *testing.F) {
	for _, raw := range headerBlocks {
		f.Add(raw)
	}
	hr := newHeaderReader()
	f.Fuzz(func(t *testing.T, raw string) {
		checkAsNetMail(t, hr, raw)
	})
}

// The address lines a folder's reader remembers hold their own bytes: a
// remembered line does not keep the rest of its message's header (a
// Subject of 200 KB) alive, and a line too long to come again is not
// remembered at all, so that the cache holds a few megabytes at most
// whatever the folder holds.
func TestAddressCacheHoldsOnlyItsLines(t *testing.T) {
	t.Parallel()
	hr := newHeaderReader()
	big := strings.Repeat("x", 200<<10)
	long := "To: " + strings.Repeat("someone@example.org, ", maxAddrLine/20) + "last@example.org\r\n"
	for i, raw := range []string{
		"From: ana@example.org\r\nSubject: " + big + "\r\n\r\n",
		"From: ben@example.org\r\n" + long + "\r\n",
	} {
		m, err := hr.read(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseHeader(m, hr.addrs); err != nil {
			t.Fatal(err)
		}
		for k := range hr.addrs {
			for _, vs := range m {
				for _, v := range vs {
					if len(v) > 0 && unsafe.StringData(k) == unsafe.StringData(v) {
						t.Errorf("message %d: the remembered line %.40q shares the header's bytes", i, k)
					}
				}
			}
			if len(k) > maxAddrLine {
				t.Errorf("message %d: a line of %d bytes is remembered", i, len(k))
			}
		}
	}
}
