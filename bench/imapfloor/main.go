// Command imapfloor is what bench/sync.sh measures an IMAP sync against:
// a go-imap v2 client that logs in over TLS, and in each folder given
// searches the messages since a date and fetches, 500 at a time, the
// header fields rekindle reads with each message's UID and INTERNALDATE.
//
//	imapfloor -addr 127.0.0.1:993 -ca ca.pem -user me -pass secret -since 180 INBOX Sent
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// fields are mailbox's headerFields.
var fields = []string{
	"From", "To", "Cc", "Bcc", "Date", "Message-ID", "Subject",
	"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID",
	"Auto-Submitted", "Precedence", "X-Autoreply", "X-Autorespond", "X-Autoresponder",
	"X-Auto-Response-Suppress", "Content-Type", "Return-Path",
	"X-Spam-Flag", "X-Spam-Status", "X-Spam", "Authentication-Results",
}

func main() {
	addr := flag.String("addr", "", "host:port, implicit TLS")
	caFile := flag.String("ca", "", "the authority that signed the server's certificate")
	user := flag.String("user", "", "user")
	pass := flag.String("pass", "", "password")
	days := flag.Int("since", 180, "days back")
	flag.Parse()
	if err := run(*addr, *caFile, *user, *pass, *days, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "imapfloor:", err)
		os.Exit(1)
	}
}

func run(addr, caFile, user, pass string, days int, folders []string) error {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := imapclient.DialTLS(addr, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(user, pass).Wait(); err != nil {
		return err
	}
	section := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: fields, Peek: true}
	n, size := 0, 0
	for _, f := range folders {
		if _, err := c.Select(f, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return err
		}
		found, err := c.UIDSearch(&imap.SearchCriteria{Since: time.Now().AddDate(0, 0, -days)}, nil).Wait()
		if err != nil {
			return err
		}
		uids := found.AllUIDs()
		for len(uids) > 0 {
			batch := uids[:min(len(uids), 500)]
			uids = uids[len(batch):]
			fetch := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section}})
			for msg := fetch.Next(); msg != nil; msg = fetch.Next() {
				for item := msg.Next(); item != nil; item = msg.Next() {
					if it, ok := item.(imapclient.FetchItemDataBodySection); ok && it.Literal != nil {
						b, err := io.ReadAll(it.Literal)
						if err != nil {
							return err
						}
						size += len(b)
					}
				}
				n++
			}
			if err := fetch.Close(); err != nil {
				return err
			}
		}
	}
	c.Logout().Wait()
	fmt.Printf("%d messages, %d bytes of header\n", n, size)
	return nil
}
