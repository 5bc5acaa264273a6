// Package smsbackup writes files in the shape SMS Backup & Restore
// (SyncTech) writes them, for tests and benchmarks: calls-*.xml and
// sms-*.xml with the app's own header, comment, stylesheet, element and
// attribute names, streamed so a file of any size costs no memory.
package smsbackup

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Call types as Android's call log and the app write them.
const (
	CallIncoming  = 1
	CallOutgoing  = 2
	CallMissed    = 3
	CallVoicemail = 4
	CallRejected  = 5
	CallBlocked   = 6
)

// SMS types: 1 received, 2 sent (3 draft, 4 outbox, 5 failed, 6 queued).
const (
	SMSReceived = 1
	SMSSent     = 2
)

// Call is one <call/>.
type Call struct {
	Number   string
	At       time.Time
	Type     int
	Duration int // seconds
	Name     string
}

// SMS is one <sms/>; Body is written as the app writes it (escaped).
type SMS struct {
	Address string
	At      time.Time
	Type    int
	Body    string
}

// MMS is one <mms>: Box is msg_box (1 inbox, 2 sent); From is the
// sender's number (the app writes "insert-address-token" for the user's
// own), To the others (type 151).
type MMS struct {
	At   time.Time
	Box  int
	From string
	To   []string
	Text string
	// Picture is the size of a picture part's data attribute (base64, as
	// the app writes a picture or a video); 0 for none. It is streamed.
	Picture int
}

const header = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n" +
	"<!--File Created By SMS Backup & Restore v10.20.002 on 07/12/2026 09:00:00-->\n"

// Writer writes one backup file.
type Writer struct {
	w    *bufio.Writer
	root string
	buf  []byte
}

// NewCalls starts a calls file of count calls (the app writes the count
// first).
func NewCalls(w io.Writer, count int) *Writer {
	x := &Writer{w: bufio.NewWriterSize(w, 256<<10), root: "calls"}
	fmt.Fprintf(x.w, "%s<?xml-stylesheet type=\"text/xsl\" href=\"calls.xsl\"?>\n<calls count=\"%d\" backup_set=\"0b6f5a3c-8c1e-4f0e-9a57-2d6c1f0a9e11\" backup_date=\"1765098000000\" type=\"full\">\n", header, count)
	return x
}

// NewSMS starts an sms file of count messages.
func NewSMS(w io.Writer, count int) *Writer {
	x := &Writer{w: bufio.NewWriterSize(w, 256<<10), root: "smses"}
	fmt.Fprintf(x.w, "%s<?xml-stylesheet type=\"text/xsl\" href=\"sms.xsl\"?>\n<smses count=\"%d\" backup_set=\"0b6f5a3c-8c1e-4f0e-9a57-2d6c1f0a9e11\" backup_date=\"1765098000000\" type=\"full\">\n", header, count)
	return x
}

func readable(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04:05") }

// Call writes one call as the app does.
func (x *Writer) Call(c Call) error {
	b := x.buf[:0]
	b = append(b, `  <call number="`...)
	b = append(b, c.Number...)
	b = append(b, `" duration="`...)
	b = strconv.AppendInt(b, int64(c.Duration), 10)
	b = append(b, `" date="`...)
	b = strconv.AppendInt(b, c.At.UnixMilli(), 10)
	b = append(b, `" type="`...)
	b = strconv.AppendInt(b, int64(c.Type), 10)
	b = append(b, `" presentation="1" subscription_id="89440000000000000001" post_dial_digits="" subscription_component_name="com.android.phone/com.android.services.telephony.TelephonyConnectionService" readable_date="`...)
	b = append(b, readable(c.At)...)
	b = append(b, `" contact_name="`...)
	if c.Name == "" {
		b = append(b, "(Unknown)"...)
	} else {
		b = append(b, c.Name...)
	}
	b = append(b, "\" />\n"...)
	x.buf = b
	_, err := x.w.Write(b)
	return err
}

// SMS writes one text; its body as given (already escaped, or not: a
// test may write what a strict parser refuses).
func (x *Writer) SMS(s SMS) error {
	_, err := fmt.Fprintf(x.w, "  <sms protocol=\"0\" address=\"%s\" date=\"%d\" type=\"%d\" subject=\"null\" body=\"%s\" toa=\"null\" sc_toa=\"null\" service_center=\"null\" read=\"1\" status=\"-1\" locked=\"0\" date_sent=\"%d\" sub_id=\"1\" readable_date=\"%s\" contact_name=\"(Unknown)\" />\n",
		s.Address, s.At.UnixMilli(), s.Type, s.Body, s.At.UnixMilli()-1500, readable(s.At))
	return err
}

// MMS writes one MMS with its parts (a SMIL part and a text part) and
// its addresses.
func (x *Writer) MMS(m MMS) error {
	address := m.From
	if m.Box == 2 {
		address = ""
		for i, a := range m.To {
			if i > 0 {
				address += "~"
			}
			address += a
		}
	}
	fmt.Fprintf(x.w, "  <mms date=\"%d\" rr=\"null\" sub=\"null\" ct_t=\"application/vnd.wap.multipart.related\" read_status=\"null\" seen=\"1\" msg_box=\"%d\" address=\"%s\" sub_cs=\"null\" resp_st=\"null\" retr_st=\"null\" d_tm=\"null\" text_only=\"1\" exp=\"null\" locked=\"0\" m_id=\"mid%d\" st=\"null\" retr_txt_cs=\"null\" retr_txt=\"null\" creator=\"com.google.android.apps.messaging\" date_sent=\"0\" read=\"1\" m_size=\"null\" rpt_a=\"null\" ct_cls=\"null\" pri=\"null\" sub_id=\"1\" tr_id=\"null\" resp_txt=\"null\" ct_l=\"null\" m_cls=\"personal\" d_rpt=\"null\" v=\"18\" _id=\"1\" m_type=\"%d\" readable_date=\"%s\" contact_name=\"(Unknown)\">\n",
		m.At.UnixMilli(), m.Box, address, m.At.UnixMilli(), map[int]int{1: 132, 2: 128}[m.Box], readable(m.At))
	fmt.Fprintf(x.w, "    <parts>\n      <part seq=\"-1\" ct=\"application/smil\" name=\"null\" chset=\"null\" cd=\"null\" fn=\"null\" cid=\"&lt;smil&gt;\" cl=\"smil.xml\" ctt_s=\"null\" ctt_t=\"null\" text=\"&lt;smil&gt;&lt;head&gt;&lt;/head&gt;&lt;body&gt;&lt;par dur=&quot;5000ms&quot;&gt;&lt;text src=&quot;text.000000.txt&quot; /&gt;&lt;/par&gt;&lt;/body&gt;&lt;/smil&gt;\" />\n")
	fmt.Fprintf(x.w, "      <part seq=\"0\" ct=\"text/plain\" name=\"null\" chset=\"106\" cd=\"null\" fn=\"null\" cid=\"&lt;text.000000.txt&gt;\" cl=\"text.000000.txt\" ctt_s=\"null\" ctt_t=\"null\" text=\"%s\" />\n", m.Text)
	if m.Picture > 0 {
		fmt.Fprintf(x.w, "      <part seq=\"1\" ct=\"image/jpeg\" name=\"IMG_0001.jpg\" chset=\"null\" cd=\"null\" fn=\"null\" cid=\"&lt;IMG_0001&gt;\" cl=\"IMG_0001.jpg\" ctt_s=\"null\" ctt_t=\"null\" text=\"null\" data=\"")
		line := []byte("/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/")
		for left := m.Picture; left > 0; left -= len(line) {
			x.w.Write(line[:min(left, len(line))])
		}
		fmt.Fprintf(x.w, "\" />\n")
	}
	fmt.Fprintf(x.w, "    </parts>\n    <addrs>\n")
	from := m.From
	if m.Box == 2 {
		from = "insert-address-token"
	}
	fmt.Fprintf(x.w, "      <addr address=\"%s\" type=\"137\" charset=\"106\" />\n", from)
	for _, a := range m.To {
		fmt.Fprintf(x.w, "      <addr address=\"%s\" type=\"151\" charset=\"106\" />\n", a)
	}
	_, err := fmt.Fprintf(x.w, "    </addrs>\n  </mms>\n")
	return err
}

// Raw writes bytes as they are: what the app never writes, for a test.
func (x *Writer) Raw(b string) error {
	_, err := x.w.WriteString(b)
	return err
}

// Close ends the root element and flushes.
func (x *Writer) Close() error {
	fmt.Fprintf(x.w, "</%s>\n", x.root)
	return x.w.Flush()
}

// Flush writes what is buffered without ending the file: a file cut off
// where the caller stopped.
func (x *Writer) Flush() error { return x.w.Flush() }
