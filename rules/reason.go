package rules

import (
	"strconv"
	"time"
)

const dateLayout = "2006-01-02"

func day(t time.Time) string { return t.Format(dateLayout) }

// DaysBetween counts calendar days from a to b on a's calendar: 23:00 to
// 01:00 the next day is one day, and a DST change makes no difference.
func DaysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.In(a.Location()).Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Reason explains the result at t in one sentence. It is built by
// concatenation rather than fmt: status explains every contact.
func (r *Result) Reason(t time.Time) string {
	switch r.State {
	case Paused:
		return "paused in the config; remove \"paused = true\" to hear about them again"
	case Snoozed:
		return "snoozed until " + r.Until.Format("2006-01-02 15:04")
	case LetBe:
		if !r.Since.IsZero() {
			return "you chose to let them be on " + day(r.Since) + "; \"rekindle resume\" brings them back"
		}
		if r.IsDue(t) {
			return plural(r.Unanswered, "message", "messages") + " unanswered, the last on " + day(r.Anchor) +
				"; time to let them be: no more reminders until they reply"
		}
		return plural(r.Unanswered, "message", "messages") + " unanswered, the last on " + day(r.Anchor) +
			"; letting them be from " + day(r.Next) + " until they reply"
	case CoolingDown:
		return "fell out on " + day(r.Fallout) + "; giving them time until " + day(r.Next)
	case Waiting:
		return "you reached out on " + day(r.Anchor) + "; waiting for a reply until " + day(r.Next)
	}
	switch r.Kind {
	case CooldownOver:
		return "the cooldown after the fallout on " + day(r.Fallout) + " ended on " + day(r.Next) + "; time to reach out, gently"
	case FollowUp:
		if r.LastTry {
			return "no reply since " + day(r.Anchor) + "; one last try, then let them be"
		}
		return "no reply since " + day(r.Anchor) + "; a light follow-up is fine now"
	case OccasionKind:
		why := r.OccasionText(t)
		if r.During == CoolingDown || r.During == Waiting {
			return why + "; things are quiet between you, so a short, warm wish that asks for nothing"
		}
		return why + "; a good reason to write"
	case CheckIn:
		if !r.Seeing.IsZero() && r.State != Due {
			seeing := "you are seeing them " + meetingWhen(t, r.Seeing) + "; no check-in before then"
			if !t.Before(r.Next.AddDate(0, 0, -plannedGrace)) {
				seeing = "the meeting with them on " + day(r.Seeing) + " is not learned from your calendar yet; if it did not happen, the check-in comes on " + day(r.Next)
			}
			if r.Last.IsZero() {
				return "no interaction on record yet; " + seeing
			}
			return r.lastWords() + "; " + seeing
		}
		if r.Last.IsZero() {
			if r.State != Due {
				return "new here, no interaction on record yet; their turn to be reminded comes on " + day(r.Next) + " (new people come in a few a day)"
			}
			return "no interaction on record yet; say hello and log it"
		}
		if r.State == Due {
			return plural(DaysBetween(r.Last, t), "day", "days") + " since you last talked (" + day(r.Last) +
				"); you wanted to keep in touch every " + r.settings.Every.Human()
		}
		return r.lastWords() + "; next check-in on " + day(r.Next)
	}
	if r.Last.IsZero() {
		return "cadence reminders are off (every = \"0\") and no interaction is on record"
	}
	return r.lastWords() + "; cadence reminders are off (every = \"0\")"
}

// OccasionText says the occasion and its day in words as seen from t:
// "birthday tomorrow (turns 37)", "anniversary on 2027-01-01 (8 years)".
// "" when there is none.
func (r *Result) OccasionText(t time.Time) string {
	if r.OccasionDay.IsZero() {
		return ""
	}
	s := r.Occasion.Name + " " + When(t, r.OccasionDay)
	if n := r.Years(); n > 0 {
		if r.Occasion.Name == Birthday {
			s += " (turns " + strconv.Itoa(n) + ")"
		} else {
			s += " (" + plural(n, "year", "years") + ")"
		}
	}
	return s
}

// When says a day as seen from t: "today", "tomorrow", "on 2026-12-24".
func When(t, day time.Time) string {
	switch DaysBetween(t, day) {
	case 0:
		return "today"
	case 1:
		return "tomorrow"
	}
	return "on " + day.Format(dateLayout)
}

// meetingWhen says a meeting's day as seen from t: "today at 10:00",
// "tomorrow at 10:00", "on Friday" within the week, "on 2026-12-24" beyond.
func meetingWhen(t, start time.Time) string {
	switch n := DaysBetween(t, start); {
	case n <= 0:
		return "today at " + start.Format("15:04")
	case n == 1:
		return "tomorrow at " + start.Format("15:04")
	case n < 7:
		return "on " + start.Weekday().String()
	}
	return "on " + start.Format(dateLayout)
}

// lastWords says the last interaction: "last talked on 2026-11-20", or
// "replied by email on 2026-11-20" when the mail taught it ("by text"
// when the phone did).
func (r *Result) lastWords() string {
	if r.LastVia != "" {
		return "replied by " + r.LastVia + " on " + day(r.Last)
	}
	return "last talked on " + day(r.Last)
}
