package rules

import "strings"

// KindInfo is what rekindle says and shows of a reminder kind.
type KindInfo struct {
	Kind  Kind
	Words string // as a person reads it: "check-in"
	Tag   string // the emoji tag a push carries (ntfy's short names)
}

// KindTable is the one table of reminder kinds: the config's
// [templates.KIND] keys, the notifier's templates and tags, the metrics'
// labels, the API and the pages all read it, and each one's tests fail
// when a kind is missing there.
var KindTable = []KindInfo{
	{CheckIn, "check-in", "wave"},
	{CooldownOver, "cooldown over", "dove"},
	{FollowUp, "follow-up", "speech_balloon"},
	{LetBeNotice, "let-be notice", "fallen_leaf"},
	{OccasionKind, "occasion", "gift"},
}

// Kinds lists every reminder kind, in KindTable's order.
var Kinds = func() []Kind {
	out := make([]Kind, len(KindTable))
	for i, k := range KindTable {
		out[i] = k.Kind
	}
	return out
}()

// Info is the kind's row of KindTable; ok is false for a kind not in it.
func (k Kind) Info() (info KindInfo, ok bool) {
	for _, i := range KindTable {
		if i.Kind == k {
			return i, true
		}
	}
	return KindInfo{}, false
}

// StateInfo is what rekindle says of a state.
type StateInfo struct {
	State State
	Words string // as a person reads it: "cooling down"
}

// StateTable is the one table of states in words: status, log and the
// pages read it; the ids stay in --json, the API and templates.
var StateTable = []StateInfo{
	{OK, "all good"},
	{Due, "due"},
	{CoolingDown, "cooling down"},
	{Waiting, "waiting for a reply"},
	{LetBe, "let be"},
	{Snoozed, "snoozed"},
	{Paused, "paused"},
}

// Words is the state as a person reads it: "cooling down", not
// "cooling_down". A state not in StateTable reads as its id with spaces.
func (s State) Words() string {
	for _, i := range StateTable {
		if i.State == s {
			return i.Words
		}
	}
	return strings.ReplaceAll(string(s), "_", " ")
}

// Words is the kind as a person reads it (KindTable's words); a kind not
// in it reads as its id with spaces.
func (k Kind) Words() string {
	if i, ok := k.Info(); ok {
		return i.Words
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// Say is a state with the reminder due now, as a person reads it: "due:
// check-in", "due: birthday" (occasion names the occasion the reminder is
// for), "let be, notice due", "waiting for a reply, follow-up due",
// "cooling down".
func Say(s State, k Kind, occasion string) string {
	if k == None {
		return s.Words()
	}
	what := k.Words()
	switch {
	case k == OccasionKind && occasion != "":
		what = occasion
	case s == LetBe && k == LetBeNotice:
		what = "notice"
	}
	if s == Due {
		return s.Words() + ": " + what
	}
	return s.Words() + ", " + what + " due"
}
