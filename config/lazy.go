package config

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr the first time it is used, not when the package
// is initialised: every command starts with every package's initialisers,
// and most never meet the text these expressions read.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
