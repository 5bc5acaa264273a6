package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

var completionCommand = command{
	name: "completion", args: "bash|zsh|fish", summary: "a shell completion script (commands, flags, people, channels, sources)",
	minArgs: 1, maxArgs: 1,
	flags: noFlags(func(c *cli, _ context.Context, pos []string) error { return c.completion(pos[0]) }),
}

// loggedKinds are what `log` takes as KIND, in the order its help gives.
var loggedKinds = []string{"talked", "replied", "reached-out", "fallout"}

// What a positional argument completes to, from its name in a command's
// args ("PERSON", "[CHANNEL]"): the scripts ask `rekindle __complete
// WHAT` for the names that live in the config.
const (
	argNone     = ""
	argPeople   = "people"
	argChannels = "channels"
	argSources  = "sources"
	argKinds    = "kinds"
	argFiles    = "files"
	argShells   = "shells"
)

// completed is what the scripts know of one command: its flags and what
// each positional argument completes to.
type completed struct {
	name, summary string
	flags         []completedFlag
	args          []string // argPeople, ... by position
}

type completedFlag struct {
	name, usage string
	value       bool // takes a value
}

// completions reads the command table: each command's flags as its flag
// set declares them and its positional arguments as its args name them.
func completions() []completed {
	out := make([]completed, 0, len(commands))
	for _, cmd := range commands {
		cc := completed{name: cmd.name, summary: cmd.summary}
		fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
		cmd.flags(fs)
		fs.VisitAll(func(f *flag.Flag) {
			_, usage := flag.UnquoteUsage(f)
			b, isBool := f.Value.(interface{ IsBoolFlag() bool })
			cc.flags = append(cc.flags, completedFlag{name: f.Name, usage: usage, value: !(isBool && b.IsBoolFlag())})
		})
		for _, word := range strings.Fields(cmd.args) {
			if strings.HasPrefix(strings.TrimPrefix(word, "["), "-") {
				break // the flags follow
			}
			switch strings.Trim(word, "[]") {
			case "PERSON":
				cc.args = append(cc.args, argPeople)
			case "CHANNEL":
				cc.args = append(cc.args, argChannels)
			case "SOURCE":
				cc.args = append(cc.args, argSources)
			case "KIND":
				cc.args = append(cc.args, argKinds)
			case "FILE":
				cc.args = append(cc.args, argFiles)
			case "bash|zsh|fish":
				cc.args = append(cc.args, argShells)
			default:
				cc.args = append(cc.args, argNone)
			}
		}
		out = append(out, cc)
	}
	return out
}

// completion prints the script for shell.
func (c *cli) completion(shell string) error {
	switch shell {
	case "bash":
		writeBash(c.stdout, completions())
	case "zsh":
		writeZsh(c.stdout, completions())
	case "fish":
		writeFish(c.stdout, completions())
	default:
		return usagef("completion: no script for %q; choose bash, zsh or fish", shell)
	}
	return nil
}

// complete prints the names the scripts complete from the config, one a
// line: people's ids, channels, sources. It is quiet about everything
// else: a config with a mistake completes nothing rather than print into
// the user's command line.
func (c *cli) complete(what string) error {
	var names []string
	switch what {
	case argKinds:
		names = loggedKinds
	case argShells:
		names = []string{"bash", "fish", "zsh"}
	case argPeople, argChannels, argSources:
		cfg, err := c.loadConfig()
		if err != nil {
			return nil
		}
		switch what {
		case argPeople:
			for _, p := range cfg.Contacts {
				names = append(names, p.ID)
			}
		case argChannels:
			for name := range cfg.Channels {
				names = append(names, name)
			}
			sort.Strings(names)
		case argSources:
			for name := range cfg.Sources {
				names = append(names, name)
			}
			sort.Strings(names)
		}
	}
	for _, n := range names {
		fmt.Fprintln(c.stdout, n)
	}
	return nil
}

// writeBash writes a bash completion: the command is the first word that
// is not a flag; --config PATH anywhere is passed on to __complete, so
// that the names come from the config the command line names.
func writeBash(w io.Writer, cmds []completed) {
	var names []string
	for _, cc := range cmds {
		names = append(names, cc.name)
	}
	fmt.Fprintf(w, `# bash completion for rekindle; made by 'rekindle completion bash'
_rekindle() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd= i n=0 cfg=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--config) cfg=(--config "${COMP_WORDS[i+1]}"); ((i++)) ;;
		--config=*) cfg=("${COMP_WORDS[i]}") ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; else ((n++)); fi ;;
		esac
	done
	if [[ $prev == --config ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "%s --config --help --version" -- "$cur"))
		return
	fi
	local flags= args=()
	case $cmd in
`, strings.Join(names, " "))
	for _, cc := range cmds {
		var flags, valued []string
		for _, f := range cc.flags {
			flags = append(flags, "--"+f.name)
			if f.value {
				valued = append(valued, "--"+f.name)
			}
		}
		fmt.Fprintf(w, "\t%s)\n\t\tflags=%q\n\t\targs=(%s)\n", cc.name, strings.Join(flags, " "), quoteAll(cc.args))
		if len(valued) > 0 {
			fmt.Fprintf(w, "\t\tcase $prev in %s) return ;; esac\n", strings.Join(valued, "|"))
		}
		w.Write([]byte("\t\t;;\n"))
	}
	fmt.Fprint(w, `	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
		return
	fi
	case ${args[n]} in
	files) COMPREPLY=($(compgen -f -- "$cur")) ;;
	?*) COMPREPLY=($(compgen -W "$(rekindle "${cfg[@]}" __complete "${args[n]}" 2>/dev/null)" -- "$cur")) ;;
	esac
}
complete -F _rekindle rekindle
`)
}

// writeZsh writes a zsh completion with the same reading of the line.
func writeZsh(w io.Writer, cmds []completed) {
	fmt.Fprint(w, `#compdef rekindle
# zsh completion for rekindle; made by 'rekindle completion zsh'
_rekindle() {
	local cmd= i n=1 prev=${words[CURRENT-1]}
	local -a cfg names
	for ((i = 2; i < CURRENT; i++)); do
		case ${words[i]} in
		--config) cfg=(--config "${words[i+1]}"); ((i++)) ;;
		--config=*) cfg=("${words[i]}") ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${words[i]}; else ((n++)); fi ;;
		esac
	done
	if [[ $prev == --config ]]; then
		_files
		return
	fi
	if [[ -z $cmd ]]; then
		local -a commands=(
`)
	for _, cc := range cmds {
		fmt.Fprintf(w, "\t\t\t%s\n", zshQuote(cc.name+":"+cc.summary))
	}
	fmt.Fprint(w, `		)
		_describe command commands
		compadd -- --config --help --version
		return
	fi
	local -a flags args valued
	case $cmd in
`)
	for _, cc := range cmds {
		var flags, valued []string
		for _, f := range cc.flags {
			flags = append(flags, zshQuote("--"+f.name+":"+f.usage))
			if f.value {
				valued = append(valued, "--"+f.name)
			}
		}
		fmt.Fprintf(w, "\t%s)\n\t\tflags=(%s)\n\t\tvalued=(%s)\n\t\targs=(%s)\n\t\t;;\n",
			cc.name, strings.Join(flags, " "), strings.Join(valued, " "), quoteAll(cc.args))
	}
	fmt.Fprint(w, `	esac
	if (( ${valued[(Ie)$prev]} )); then
		return
	fi
	if [[ $PREFIX == -* ]]; then
		_describe flag flags
		return
	fi
	case ${args[n]} in
	files) _files ;;
	?*)
		names=(${(f)"$(rekindle "${cfg[@]}" __complete "${args[n]}" 2>/dev/null)"})
		compadd -a names
		;;
	esac
}
compdef _rekindle rekindle
`)
}

// writeFish writes a fish completion: fish reads the line itself, so each
// command's flags and first argument are declared one by one.
func writeFish(w io.Writer, cmds []completed) {
	var names []string
	for _, cc := range cmds {
		names = append(names, cc.name)
	}
	fmt.Fprintf(w, `# fish completion for rekindle; made by 'rekindle completion fish'
complete -c rekindle -f
complete -c rekindle -l config -r -F -d 'the config file'
complete -c rekindle -n 'not __fish_seen_subcommand_from %[1]s' -l version -d 'the version'
`, strings.Join(names, " "))
	for _, cc := range cmds {
		fmt.Fprintf(w, "complete -c rekindle -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n",
			strings.Join(names, " "), cc.name, fishQuote(cc.summary))
		for _, f := range cc.flags {
			req := ""
			if f.value {
				req = " -r"
			}
			fmt.Fprintf(w, "complete -c rekindle -n '__fish_seen_subcommand_from %s' -l %s%s -d %s\n", cc.name, f.name, req, fishQuote(f.usage))
		}
		if len(cc.args) > 0 {
			switch cc.args[0] {
			case argNone:
			case argFiles:
				fmt.Fprintf(w, "complete -c rekindle -n '__fish_seen_subcommand_from %s' -F\n", cc.name)
			default:
				fmt.Fprintf(w, "complete -c rekindle -n '__fish_seen_subcommand_from %s' -a '(rekindle (__fish_rekindle_config) __complete %s 2>/dev/null)'\n", cc.name, cc.args[0])
			}
		}
	}
	io.WriteString(w, `# the --config of the line being completed, for the names from the config
function __fish_rekindle_config
	set -l words (commandline -opc)
	for i in (seq (count $words))
		switch $words[$i]
		case --config
			set -l next (math $i + 1)
			test $next -le (count $words); and printf '%s\n' --config $words[$next]
		case '--config=*'
			printf '%s\n' $words[$i]
		end
	end
end
`)
}

// quoteAll quotes each word for a shell array, empty words included.
func quoteAll(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + w + "'"
	}
	return strings.Join(q, " ")
}

func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
