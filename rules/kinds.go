package rules

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
