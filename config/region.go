package config

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// region checks region = "GB": the two-letter code of a country that has
// phone numbers, in either case.
func region(r *reader, v string) string {
	code := strings.ToUpper(strings.TrimSpace(v))
	if !phonenumbers.GetSupportedRegions()[code] {
		r.ps.add(path{"region"}, "%q is not a country's two-letter code such as \"GB\", \"DE\" or \"US\" (the country your phone numbers without +… are in)", v)
		return ""
	}
	return code
}
