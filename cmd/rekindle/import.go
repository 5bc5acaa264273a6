package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rekindle/rekindle/config"
	"github.com/rekindle/rekindle/importer"
	"github.com/rekindle/rekindle/internal/hint"
	"github.com/rekindle/rekindle/rules"
)

// stringList is a flag that may be given more than once.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var importCommand = command{
	name: "import", args: "FILE [--map FIELD=COLUMN,...] [--charset SET] [--all] [--every SPAN] [--group NAME] [--paused] [--last-talked DATE]",
	summary: "print the people of a vCard or CSV export as [[contact]] tables, for a file the config includes",
	minArgs: 1, maxArgs: 1,
	flags: func(fs *flag.FlagSet) runFunc {
		var maps stringList
		fs.Var(&maps, "map", "for a CSV whose header rekindle does not know, which columns hold which fields: `FIELD=COLUMN,...` (name=Full Name,email=E-mail)")
		all := fs.Bool("all", false, "also print the people the config already has")
		charset := fs.String("charset", "", "the character set of a file not written in UTF-8: `SET` such as windows-1252 (Outlook's CSV) or ISO-8859-1")
		var set importer.Set
		fs.StringVar(&set.Every, "every", "", "write every = `SPAN` (such as 30d or 2w) into every person imported")
		fs.StringVar(&set.Group, "group", "", "put every person imported in the group `NAME`")
		fs.BoolVar(&set.Paused, "paused", false, "write every person imported as paused, to bring them in quietly")
		fs.StringVar(&set.LastTalked, "last-talked", "", "write last_interaction = `DATE` (such as 2026-11-01) into every person imported")
		return func(c *cli, ctx context.Context, pos []string) error {
			return c.importPeople(ctx, pos[0], maps, *charset, *all, &set)
		}
	},
}

// importPeople prints the people of a contact export as [[contact]] tables
// on standard output, for the user to redirect into a file the config
// includes. It never writes a file of its own but a temporary one: the
// output is held there until the whole input has been read, so a file
// that fails prints nothing. That file has no name: it is removed as soon
// as it is made and held by its descriptor, so nothing stays in the
// temporary directory whatever ends the command (a closed pipe's SIGPIPE
// under "| head", a signal, a kill).
func (c *cli) importPeople(ctx context.Context, name string, maps []string, charset string, all bool, set *importer.Set) error {
	mapping, err := importer.ParseMapping(maps)
	if err != nil {
		return usagef("import: %v", err)
	}
	known, err := c.knownPeople()
	if err != nil {
		return err
	}
	if err := c.checkSet(set, known); err != nil {
		return err
	}
	streaming() // after the config: its reading keeps what it makes
	var in io.Reader = os.Stdin
	var size int64 // of the file, when it is one
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return fmt.Errorf("%s is a directory; name a .vcf or .csv file", name)
		} else if err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		in = f
	}
	r, err := importer.Open(in, importer.Options{Map: mapping, Now: c.now(), Charset: charset})
	if err != nil {
		return importError(name, err)
	}
	tmp, err := os.CreateTemp("", "rekindle-import-*.toml")
	if err != nil {
		return err
	}
	os.Remove(tmp.Name())
	defer tmp.Close()
	w := bufio.NewWriterSize(tmp, 64<<10)
	ids := importer.NewIDsFor(importer.PeopleIn(r, size))
	var written, left, nameless, notPeople int
	for {
		if err := ctx.Err(); err != nil {
			return errImportStopped
		}
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return importError(name, err)
		}
		if p.NotAPerson != "" {
			notPeople++
			fmt.Fprintf(c.stderr, "rekindle: %s:%d: %s is %s, not a person; left out\n", name, p.Line, orNobody(p.Name), p.NotAPerson)
			continue
		}
		for _, n := range p.Notes {
			fmt.Fprintf(c.stderr, "rekindle: %s:%d: %s (%s)\n", name, n.Line, n.Msg, orNobody(p.Name))
		}
		if p.Name == "" {
			nameless++
			fmt.Fprintf(c.stderr, "rekindle: %s:%d: a contact without a name; skipped%s\n", name, p.Line, about(p))
			continue
		}
		id := config.Slug(p.Name)
		if id == "" {
			id = "contact-" + strconv.Itoa(p.Line) // a name of symbols alone
		}
		if why := known.has(id, p.Emails); why != "" && !all {
			left++
			fmt.Fprintf(c.stderr, "rekindle: %s:%d: %s is already in the config (%s); left out (--all keeps them)\n", name, p.Line, p.Name, why)
			continue
		}
		// Two people of one name in the file: the second is name-2.
		id = ids.Take(id)
		importer.Write(w, p, id, *set)
		written++
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("hold the output: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	// A write to a pipe that nobody reads blocks: a signal must still
	// stop the command.
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(c.stdout, tmp)
		copied <- err
	}()
	select {
	case err := <-copied:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return errImportStopped
	}
	fmt.Fprintf(c.stderr, "rekindle: %s: %s written", name, plural(written, "person", "people"))
	if left > 0 {
		fmt.Fprintf(c.stderr, "; %d already in the config left out", left)
	}
	if nameless > 0 {
		fmt.Fprintf(c.stderr, "; %d without a name skipped", nameless)
	}
	if notPeople > 0 {
		fmt.Fprintf(c.stderr, "; %s left out", plural(notPeople, "company or group", "companies and groups"))
	}
	fmt.Fprintln(c.stderr)
	return nil
}

// checkSet checks import's --every, --group and --last-talked as the
// config will read them, so that what import writes passes check.
func (c *cli) checkSet(set *importer.Set, k known) error {
	if set.Every != "" {
		if _, err := rules.ParseDuration(set.Every); err != nil {
			return usagef("import: --every %q: %v", set.Every, err)
		}
	}
	if set.Group != "" && k.groups != nil && !k.groups[set.Group] {
		names := make([]string, 0, len(k.groups))
		for g := range k.groups {
			names = append(names, g)
		}
		sort.Strings(names)
		msg := fmt.Sprintf("import: --group %q: the config has no such group", set.Group)
		switch s := config.Suggest(set.Group, names); {
		case s != "":
			msg += fmt.Sprintf("; did you mean %q?", s)
		case len(names) > 0:
			msg += "; its groups are " + strings.Join(names, ", ")
		default:
			msg += fmt.Sprintf("; define it first with a [groups.%s] table", set.Group)
		}
		return usagef("%s", msg)
	}
	if set.LastTalked != "" {
		d, err := time.ParseInLocation(time.DateOnly, set.LastTalked, time.Local)
		if err != nil {
			return usagef("import: --last-talked %q: write the date as 2026-11-01", set.LastTalked)
		}
		if d.After(c.now()) {
			return usagef("import: --last-talked %s is after today", set.LastTalked)
		}
	}
	return nil
}

var errImportStopped = errors.New("import: stopped before all the output was written")

// importError names the file and the line of an input that cannot be read.
func importError(name string, err error) error {
	var se *importer.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s:%d: %s; nothing was written", name, se.Line, se.Msg)
	}
	return fmt.Errorf("%s: %w; nothing was written", name, err)
}

func orNobody(name string) string {
	if name == "" {
		return "no name"
	}
	return name
}

// about says what a contact without a name has, so the user can find it.
func about(p importer.Person) string {
	switch {
	case len(p.Emails) > 0:
		return " (" + p.Emails[0] + ")"
	case len(p.Phones) > 0:
		return " (" + p.Phones[0] + ")"
	}
	return ""
}

// known is who the config has already: ids and addresses.
type known struct {
	ids    map[string]bool
	emails map[string]string // lower-case address → id
	groups map[string]bool   // nil without a config
}

// knownPeople reads the config when there is one (an import may come
// before the first config).
func (c *cli) knownPeople() (known, error) {
	k := known{ids: map[string]bool{}, emails: map[string]string{}}
	path, err := config.Find(c.configFlag)
	if errors.Is(err, config.ErrNotFound) {
		return k, nil
	}
	if err != nil {
		return k, err
	}
	cfg, err := config.Load(path)
	if errors.Is(err, os.ErrNotExist) && c.configFlag == "" {
		return k, nil
	}
	if err != nil {
		return k, hint.With(err, "import reads the config to leave out the people already in it; fix it first")
	}
	k.groups = map[string]bool{}
	for g := range cfg.Groups {
		k.groups[g] = true
	}
	for _, ct := range cfg.Contacts {
		k.ids[ct.ID] = true
		for _, e := range ct.Emails {
			k.emails[strings.ToLower(e)] = ct.ID
		}
	}
	return k, nil
}

// has tells why a person is in the config already, or "".
func (k known) has(id string, emails []string) string {
	if k.ids[id] {
		return "the id " + id
	}
	if len(k.emails) == 0 {
		return "" // no config, or no addresses in it: nothing to lower
	}
	for _, e := range emails {
		if other, ok := k.emails[strings.ToLower(e)]; ok {
			return other + " has " + e
		}
	}
	return ""
}
