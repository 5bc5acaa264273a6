package mailbox

import (
	"time"

	"github.com/emersion/go-ical"
)

// dateProps are the properties whose TZID a meeting's times are read in.
var dateProps = []string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropRecurrenceID, ical.PropExceptionDates, ical.PropRecurrenceDates}

// knownZones drops a TZID that is not a zone this machine knows (Outlook
// writes Windows names such as "W. Europe Standard Time"): the time is
// then read in loc, the config's zone, rather than the meeting lost.
// zones caches what LoadLocation answered.
func knownZones(ev *ical.Event, zones map[string]bool) {
	for _, name := range dateProps {
		props := ev.Props[name]
		for i := range props {
			tz := props[i].Params.Get(ical.PropTimezoneID)
			if tz == "" {
				continue
			}
			ok, seen := zones[tz]
			if !seen {
				_, err := time.LoadLocation(tz)
				ok = err == nil
				zones[tz] = ok
			}
			if !ok {
				props[i].Params.Del(ical.PropTimezoneID)
			}
		}
	}
}
