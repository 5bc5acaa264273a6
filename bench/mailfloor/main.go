// Command mailfloor is what bench/sync.sh measures a Maildir sync
// against: net/mail reading the header of every message in the folders
// given (their cur/ and new/) and looking up the fields rekindle reads.
//
//	mailfloor DIR...
package main

import (
	"bufio"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
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
	read, found := 0, 0
	for _, dir := range os.Args[1:] {
		for _, sub := range []string{"cur", "new"} {
			entries, err := os.ReadDir(filepath.Join(dir, sub))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			for _, e := range entries {
				f, err := os.Open(filepath.Join(dir, sub, e.Name()))
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				m, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(f, 256<<10)))
				f.Close()
				if err != nil {
					continue
				}
				read++
				for _, k := range fields {
					if m.Header.Get(k) != "" {
						found++
					}
				}
			}
		}
	}
	fmt.Printf("%d messages, %d fields\n", read, found)
}
