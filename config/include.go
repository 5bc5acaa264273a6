package config

import (
	"path/filepath"
	"sort"
	"strings"
)

// part is a run of contacts read from one file: Contacts[first:] up to the
// next part's first.
type part struct {
	file  string
	first int
}

// source tells which file contact i was read from, and its index there.
func (c *Config) source(i int) (file string, index int) {
	k := sort.Search(len(c.parts), func(k int) bool { return c.parts[k].first > i }) - 1
	if k < 0 {
		return c.File, i
	}
	return c.parts[k].file, i - c.parts[k].first
}

// Source tells which file the contact with this id was read from: the
// config itself or one it includes.
func (c *Config) Source(id string) (string, bool) {
	i, ok := c.ids[id]
	if !ok {
		return "", false
	}
	file, _ := c.source(i)
	return file, true
}

// include reads the files that include = [...] names: globs relative to
// the config file, each match read in name order, a file once however many
// patterns match it. An included file holds [[contact]] tables only; its
// problems are reported against its own lines.
func (r *reader) include(doc map[string]any, cfg *Config, defaultChannels []string) {
	patterns, _ := r.strings(doc, nil, "include")
	main, _ := filepath.Abs(r.file)
	seen := map[string]bool{main: true}
	var files []string
	for _, pat := range patterns {
		// Named from the config's directory, as the config is named:
		// messages then show the paths the way the user wrote them.
		full := pat
		if !filepath.IsAbs(full) {
			full = filepath.Join(r.dir, pat)
		}
		cfg.Include = append(cfg.Include, full)
		matches, err := filepath.Glob(full)
		if err != nil {
			r.ps.add(path{"include"}, "%q is not a valid pattern: %v", pat, err)
			continue
		}
		if len(matches) == 0 && !hasMeta(pat) {
			r.ps.add(path{"include"}, "%s does not exist", full)
		}
		for _, m := range matches {
			abs, _ := filepath.Abs(m)
			if abs == main {
				if !hasMeta(pat) {
					r.ps.add(path{"include"}, "%q is this config file itself", pat)
				}
				continue
			}
			if !seen[abs] {
				seen[abs] = true
				files = append(files, m)
			}
		}
	}
	if len(files) == 0 {
		return
	}
	// The problems found so far are the main file's; each included file
	// collects and resolves its own.
	mainPs, mainNames, mainFile := r.ps, r.contactNames, r.file
	defer func() { r.ps, r.contactNames, r.file = mainPs, mainNames, mainFile }()
	for _, f := range files {
		cfg.Included = append(cfg.Included, f)
		r.ps, r.contactNames, r.file = problems{}, nil, f
		data, err := readLimited(f, MaxConfigSize, "included file")
		if err != nil {
			r.fileErrs = append(r.fileErrs, err) // it names the file
			continue
		}
		sub, err := decode(f, ownText(data))
		if err != nil {
			r.fileErrs = append(r.fileErrs, err)
			continue
		}
		for k := range sub {
			if k != "contact" {
				r.ps.add(path{k}, "an included file holds [[contact]] tables only; %s belongs in %s", k, mainFile)
			}
		}
		cfg.parts = append(cfg.parts, part{file: f, first: len(cfg.Contacts)})
		r.contacts(sub, cfg, defaultChannels)
		if !r.ps.empty() {
			r.fileErrs = append(r.fileErrs, r.ps.resolve(f, data, r.names()))
		}
	}
}

// hasMeta tells whether a pattern has glob characters.
func hasMeta(pattern string) bool { return strings.ContainsAny(pattern, `*?[\`) }

// Watched tells whether a change to the file at name (an absolute path)
// may change the config: the config itself, a file it includes, or a new
// file that an include pattern matches.
func (c *Config) Watched(name string) bool {
	if abs, _ := filepath.Abs(c.File); name == abs {
		return true
	}
	for _, pat := range c.Include {
		abs, _ := filepath.Abs(pat)
		if ok, _ := filepath.Match(abs, name); ok {
			return true
		}
	}
	return false
}

// WatchDirs lists the directories where the config's files live or may
// appear: the config's own, each include pattern's (when it has no glob
// characters) and each included file's.
func (c *Config) WatchDirs() []string {
	abs, _ := filepath.Abs(c.File)
	dirs := []string{filepath.Dir(abs)}
	seen := map[string]bool{dirs[0]: true}
	add := func(d string) {
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	for _, pat := range c.Include {
		if d, _ := filepath.Abs(filepath.Dir(pat)); !hasMeta(d) {
			add(d)
		}
	}
	for _, f := range c.Included {
		d, _ := filepath.Abs(filepath.Dir(f))
		add(d)
	}
	return dirs
}
