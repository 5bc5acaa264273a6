package rules

import (
	"fmt"
	"time"
)

const dateLayout = "2006-01-02"

func day(t time.Time) string { return t.Format(dateLayout) }

// daysBetween counts calendar days from a to b on a's calendar.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.In(a.Location()).Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Reason explains the result at t in one sentence.
func (r *Result) Reason(t time.Time) string {
	switch r.State {
	case Paused:
		return "paused in the config; remove \"paused = true\" to hear about them again"
	case Snoozed:
		return fmt.Sprintf("snoozed until %s", r.Until.Format("2006-01-02 15:04"))
	case LetBe:
		if !r.Since.IsZero() {
			return fmt.Sprintf("you chose to let them be on %s; \"rekindle resume\" brings them back", day(r.Since))
		}
		if r.IsDue(t) {
			return fmt.Sprintf("%s unanswered, the last on %s; time to let them be: no more reminders until they reply",
				plural(r.Unanswered, "message", "messages"), day(r.Anchor))
		}
		return fmt.Sprintf("%s unanswered, the last on %s; letting them be from %s until they reply",
			plural(r.Unanswered, "message", "messages"), day(r.Anchor), day(r.Next))
	case CoolingDown:
		return fmt.Sprintf("fell out on %s; giving them time until %s", day(r.Fallout), day(r.Next))
	case Waiting:
		return fmt.Sprintf("you reached out on %s; waiting for a reply until %s", day(r.Anchor), day(r.Next))
	}
	switch r.Kind {
	case CooldownOver:
		return fmt.Sprintf("the cooldown after the fallout on %s ended on %s; time to reach out, gently", day(r.Fallout), day(r.Next))
	case FollowUp:
		if r.LastTry {
			return fmt.Sprintf("no reply since %s; one last try, then let them be", day(r.Anchor))
		}
		return fmt.Sprintf("no reply since %s; a light follow-up is fine now", day(r.Anchor))
	case CheckIn:
		if r.Last.IsZero() {
			return "no interaction on record yet; say hello and log it"
		}
		if r.State == Due {
			return fmt.Sprintf("%s since you last talked (%s); you wanted to keep in touch every %s",
				plural(daysBetween(r.Last, t), "day", "days"), day(r.Last), r.settings.Every)
		}
		return fmt.Sprintf("last talked on %s; next check-in on %s", day(r.Last), day(r.Next))
	}
	if r.Last.IsZero() {
		return "cadence reminders are off (every = \"0\") and no interaction is on record"
	}
	return fmt.Sprintf("last talked on %s; cadence reminders are off (every = \"0\")", day(r.Last))
}
