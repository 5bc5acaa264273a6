package mailbox

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/journal"
)

// fetchBatch is how many messages one FETCH asks for: memory stays flat
// however large the folder.
const fetchBatch = 500

// Error is a source's failure, with what to do about it where that is
// clear. It never holds a password or a token.
type Error struct {
	Source string
	Msg    string
	Fix    string // what to do about it; read it with Hint
	Err    error
}

func (e *Error) Error() string { return "source " + e.Source + ": " + e.Msg }

// Hint is the fix, kept out of the error's text: the command prints it on
// its own line, the daemon logs it as its own field (internal/hint).
func (e *Error) Hint() string { return e.Fix }

func (e *Error) Unwrap() error { return e.Err }

// connectError says why a connection failed, with the fix where it is
// clear.
func connectError(name, addr, mode string, err error) error {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown), errors.As(err, &invalid):
		return &Error{Source: name, Msg: "the certificate of " + addr + " does not verify: " + err.Error(),
			Fix: "for your own server, set ca_file to the certificate authority that signed it", Err: err}
	case errors.As(err, &host):
		return &Error{Source: name, Msg: "the certificate of " + addr + " is for another name: " + err.Error(),
			Fix: "set host to the name on the certificate", Err: err}
	case strings.Contains(err.Error(), "first record does not look like a TLS handshake"):
		return &Error{Source: name, Msg: addr + " does not speak TLS on that port",
			Fix: `tls = "implicit" is for port 993; for port 143 use tls = "starttls"`, Err: err}
	}
	return &Error{Source: name, Msg: "cannot reach " + addr + " (" + mode + "): " + err.Error(), Err: err}
}

func login(c *imapclient.Client, spec *config.IMAPSpec) error {
	if spec.Auth == "password" {
		return c.Login(spec.Username, spec.Password.Reveal()).Wait()
	}
	tok, err := config.ReadSecret(spec.TokenFile)
	if err != nil {
		return &Error{Msg: "cannot read the OAuth2 token: " + err.Error(), Fix: "your token helper writes token_file"}
	}
	if spec.Auth == "oauthbearer" {
		return c.Authenticate(sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: spec.Username, Token: tok.Reveal()}))
	}
	return c.Authenticate(&xoauth2{user: spec.Username, token: tok.Reveal()})
}

// xoauth2 is the XOAUTH2 mechanism of Gmail and Outlook: one message with
// the user and the bearer token; on failure the server sends an error
// document, to which an empty answer ends the exchange.
type xoauth2 struct{ user, token string }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }

// folder is a folder to read and what it holds.
type folder struct {
	name string
	role Role
}

// imapFolders finds the folders to read: those named, else INBOX and the
// folder the server marks \Sent (or, on a server without SPECIAL-USE, one
// with a usual name); then the phone's folders, when named.
func imapFolders(c *session, name string, spec *config.IMAPSpec) ([]folder, error) {
	out, err := mailFolders(c, name, spec)
	if err != nil {
		return nil, err
	}
	for _, n := range spec.Phone {
		out = append(out, folder{n, Phone})
	}
	return out, nil
}

// fix is what to do when a folder cannot be opened: check the setting
// that names it.
func (f folder) fix() string {
	if f.role == Phone {
		return `check phone in the source: the folders (Gmail: the labels) SMS Backup+ writes to, "SMS" and "Call log" unless you chose others`
	}
	return "check inbox and sent in the source"
}

// mailFolders finds the inbox and the sent folder (imapFolders).
func mailFolders(c *session, name string, spec *config.IMAPSpec) ([]folder, error) {
	var out []folder
	inbox := spec.Inbox
	if len(inbox) == 0 {
		inbox = []string{"INBOX"}
	}
	for _, n := range inbox {
		out = append(out, folder{n, Inbox})
	}
	if len(spec.Sent) > 0 {
		for _, n := range spec.Sent {
			out = append(out, folder{n, Sent})
		}
		return out, nil
	}
	var list []*imap.ListData
	err := c.do(func() error {
		var opts *imap.ListOptions
		if caps := c.Caps(); caps.Has(imap.CapSpecialUse) || caps.Has(imap.CapIMAP4rev2) {
			opts = &imap.ListOptions{ReturnSpecialUse: true}
		}
		var err error
		list, err = c.List("", "*", opts).Collect()
		return err
	})
	if err != nil {
		return nil, &Error{Source: name, Msg: "cannot list the folders: " + err.Error(), Err: err}
	}
	for _, l := range list {
		if slices.Contains(l.Attrs, imap.MailboxAttrSent) {
			return append(out, folder{l.Mailbox, Sent}), nil
		}
	}
	for _, usual := range []string{"Sent", "Sent Items", "Sent Messages", "Sent Mail", "INBOX.Sent", "[Gmail]/Sent Mail"} {
		for _, l := range list {
			if strings.EqualFold(l.Mailbox, usual) {
				return append(out, folder{l.Mailbox, Sent}), nil
			}
		}
	}
	return nil, &Error{Source: name, Msg: "no folder is marked \\Sent and none has a usual name",
		Fix: `name it: sent = ["Sent"]`}
}

func init() {
	register("imap", func(src *config.Source) Source { return &imapAccount{src, src.Spec.(*config.IMAPSpec)} })
}

// imapAccount is a mailbox on an IMAP server.
type imapAccount struct {
	src  *config.Source
	spec *config.IMAPSpec
}

var _ Source = (*imapAccount)(nil)

func (m *imapAccount) Config() *config.Source { return m.src }

// imapCursor is how far an IMAP folder was read.
type imapCursor struct {
	Validity int64 `json:"validity"` // the folder's UIDVALIDITY
	LastUID  int64 `json:"last_uid"` // the last UID read
}

// Sync reads what is new in each folder of the source.
func (m *imapAccount) Sync(ctx context.Context, s *Sync, res *Result) error {
	c, err := connect(ctx, m.src.Name, m.spec, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	folders, err := imapFolders(c, m.src.Name, m.spec)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	for _, f := range folders {
		if err := imapFolder(ctx, s, c, f, res); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
	c.logout()
	return nil
}

// imapFolder reads one folder: on the first sync (or after the server
// changed its UIDVALIDITY) the messages since backfill, later those after
// the last UID read. Dedup keys make a rescan add nothing twice.
func imapFolder(ctx context.Context, s *Sync, c *session, f folder, res *Result) error {
	label := Label(s.Source)
	var state imapCursor
	if err := s.cursor(ctx, f.name, &state); err != nil {
		return err
	}
	var sel *imap.SelectData
	err := c.do(func() error {
		var err error
		sel, err = c.Select(f.name, &imap.SelectOptions{ReadOnly: true}).Wait()
		return err
	})
	if err != nil {
		return &Error{Source: s.Source.Name, Msg: fmt.Sprintf("cannot open the folder %q: %v", f.name, err),
			Fix: f.fix() + "; rekindle sync --dry-run lists what it reads", Err: err}
	}
	criteria := &imap.SearchCriteria{}
	if state.Validity == int64(sel.UIDValidity) && state.LastUID > 0 {
		var set imap.UIDSet
		set.AddRange(imap.UID(state.LastUID+1), 0) // LastUID+1:*
		criteria.UID = []imap.UIDSet{set}
	} else {
		criteria.Since = s.Source.Backfill.Before(s.Now)
	}
	var found *imap.SearchData
	err = c.do(func() error {
		var err error
		found, err = c.UIDSearch(criteria, nil).Wait()
		return err
	})
	if err != nil {
		return &Error{Source: s.Source.Name, Msg: fmt.Sprintf("cannot search the folder %q: %v", f.name, err), Err: err}
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if int64(u) > state.LastUID || state.Validity != int64(sel.UIDValidity) {
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	last := state.LastUID
	if state.Validity != int64(sel.UIDValidity) {
		last = 0
	}
	var events []journal.Event
	hr := newHeaderReader() // the folder's messages share one
	section := headerSection
	if f.role == Phone {
		section = smsBackupSection
		hr = newFieldReader(smsBackupFields, smsBackupKeys)
	}
	for len(uids) > 0 {
		batch := uids[:min(len(uids), fetchBatch)]
		uids = uids[len(batch):]
		err := c.do(func() error {
			return c.fetchHeaders(batch, section, func(uid imap.UID, raw []byte, received time.Time) {
				res.Read++
				if int64(uid) > last {
					last = int64(uid)
				}
				if f.role == Phone {
					mh, err := readRaw(raw, hr)
					events = s.considerSMSBackup(mh, err, label, res, events)
					return
				}
				h, err := parseRaw(raw, hr)
				h.receivedAt(received)
				events = s.consider(h, err, f.role, label, res, events)
			})
		})
		if err := ctx.Err(); err != nil {
			return err
		}
		if c := c.conn.cause(); c != nil {
			return &Error{Source: s.Source.Name, Msg: fmt.Sprintf("gave up reading %q: %v", f.name, c), Err: c}
		}
		if err != nil {
			return &Error{Source: s.Source.Name, Msg: fmt.Sprintf("the server broke off reading %q: %v", f.name, err), Err: err}
		}
	}
	return s.commit(ctx, f.name, events, imapCursor{Validity: int64(sel.UIDValidity), LastUID: last}, res)
}

// headerSection is what rekindle fetches of a message: the headers it
// reads, never a body.
var headerSection = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: headerFields, Peek: true}

// smsBackupSection is what rekindle fetches of a message in a phone
// folder: SMS Backup+'s headers (smsBackupFields), never a body.
var smsBackupSection = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: smsBackupFields, Peek: true}

// fetchHeaders fetches section (the headers) of the messages uids and gives each to
// got as it comes, in a buffer that the next message reuses. A header block larger than limits.literal is refused
// before a byte of it is read, and the connection is cut: the server sent
// something else than what was asked.
func (c *session) fetchHeaders(uids []imap.UID, section *imap.FetchItemBodySection, got func(imap.UID, []byte, time.Time)) error {
	fetch := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section}})
	var refused error
	var buf []byte
	for msg := fetch.Next(); msg != nil && refused == nil; msg = fetch.Next() {
		var uid imap.UID
		var raw []byte
		var received time.Time
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = it.UID
			case imapclient.FetchItemDataInternalDate:
				received = it.Time
			case imapclient.FetchItemDataBodySection:
				if it.Literal == nil || !it.MatchCommand(section) {
					continue
				}
				n := it.Literal.Size()
				if n > c.conn.lim.literal {
					refused = fmt.Errorf("%s sent a header block of %d bytes for one message (at most %s are read)", c.addr, n, size(c.conn.lim.literal))
					c.conn.cut(refused)
					break
				}
				if int64(cap(buf)) < n {
					buf = make([]byte, n)
				}
				raw = buf[:n]
				if _, err := io.ReadFull(it.Literal, raw); err != nil {
					refused = c.why(err)
				}
			}
			if refused != nil {
				break
			}
		}
		if refused == nil && uid != 0 {
			got(uid, raw, received)
		}
		c.conn.next()
	}
	// Close reads what is left of the answer: at once when the connection
	// was cut.
	if err := fetch.Close(); refused == nil {
		return err
	}
	return refused
}

// parseRaw reads a header block fetched from a server, through hr.
func parseRaw(raw []byte, hr *headerReader) (Header, error) {
	m, err := readRaw(raw, hr)
	if err != nil {
		return Header{}, err
	}
	return parseHeader(m, hr.addrs)
}

// readRaw reads the kept fields of a header block fetched from a server,
// through hr.
func readRaw(raw []byte, hr *headerReader) (mail.Header, error) {
	if len(raw) == 0 {
		return nil, errors.New("the server sent no header")
	}
	// A server ends the block with its blank line; one that does not
	// gets one, for net/mail.
	var r io.Reader = bytes.NewReader(raw)
	if !bytes.HasSuffix(raw, []byte("\r\n\r\n")) {
		r = io.MultiReader(r, strings.NewReader("\r\n"))
	}
	m, err := hr.read(r)
	if err != nil {
		return nil, fmt.Errorf("unreadable header: %w", err)
	}
	return m, nil
}

// Backoff is the wait after n failures of a source in a row: 30 s
// doubling to 30 minutes, less up to a fifth at random so that sources
// failing together do not come back together.
func Backoff(n int) time.Duration {
	w := min(30*time.Second<<min(n-1, 10), 30*time.Minute)
	return w - time.Duration(rand.Int64N(int64(w/5)+1))
}

// Check connects, logs in and finds the folders, and opens each.
func (m *imapAccount) Check(ctx context.Context) ([]string, error) {
	src, spec := m.src, m.spec
	c, err := connect(ctx, src.Name, spec, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	folders, err := imapFolders(c, src.Name, spec)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	var out []string
	for _, f := range folders {
		err := c.do(func() error {
			_, err := c.Select(f.name, &imap.SelectOptions{ReadOnly: true}).Wait()
			return err
		})
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, &Error{Source: src.Name, Msg: fmt.Sprintf("cannot open the folder %q: %v", f.name, err), Fix: f.fix(), Err: err}
		}
		out = append(out, f.name+" ("+f.role.String()+")")
	}
	c.logout()
	return out, nil
}

// ErrNoIdle is Watch's answer for a server that cannot tell of new mail as
// it comes: the caller reads it every interval instead.
var ErrNoIdle error = notWatched("the server does not offer IDLE")

// Watch keeps a connection to the server open, idle in the (first)
// inbox, and calls arrived whenever the server says a message came in
// (IDLE watches one folder: the sent folder and the phone's folders are
// read every interval),
// until ctx ends. A dropped connection is made again, 30 s doubling to 30
// minutes after each failure in a row, each failure told to failed. On a
// server without IDLE it returns ErrNoIdle at once.
func (m *imapAccount) Watch(ctx context.Context, arrived func(), failed func(error)) error {
	src, spec := m.src, m.spec
	inbox := "INBOX"
	if len(spec.Inbox) > 0 {
		inbox = spec.Inbox[0]
	}
	for fails := 0; ; {
		err := idleOnce(ctx, src.Name, spec, inbox, arrived, func() { fails = 0 })
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrNoIdle) {
			return err
		}
		fails++
		failed(err)
		wait := Backoff(fails)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// idleOnce connects, selects the inbox and idles until the connection
// drops or ctx ends; connected is called once idle.
func idleOnce(ctx context.Context, name string, spec *config.IMAPSpec, inbox string, arrived, connected func()) error {
	news := make(chan struct{}, 1)
	h := &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil {
			select {
			case news <- struct{}{}:
			default:
			}
		}
	}}
	c, err := connect(ctx, name, spec, h)
	if err != nil {
		return err
	}
	// Close cuts the connection first: an IDLE is not ended politely with
	// a server that may not answer.
	defer c.Close()
	var caps imap.CapSet
	c.do(func() error { caps = c.Caps(); return nil })
	if !caps.Has(imap.CapIdle) && !caps.Has(imap.CapIMAP4rev2) {
		if err := c.why(nil); caps == nil && err != nil {
			return &Error{Source: name, Msg: "cannot learn what the server offers: " + err.Error(), Err: err}
		}
		return ErrNoIdle
	}
	err = c.do(func() error {
		_, err := c.Select(inbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		return err
	})
	if err != nil {
		return &Error{Source: name, Msg: fmt.Sprintf("cannot open the folder %q: %v", inbox, err), Err: err}
	}
	// The IDLE ends with the connection: Close cuts it.
	err = c.do(func() error {
		_, err := c.Idle()
		return err
	})
	if err != nil {
		return &Error{Source: name, Msg: "IDLE failed: " + err.Error(), Err: err}
	}
	connected()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-news:
			arrived()
		case <-c.Closed():
			err := c.why(errors.New("the server closed the connection"))
			return &Error{Source: name, Msg: err.Error(), Err: err}
		}
	}
}
