package phone

import "strconv"

// Android's types of calls and texts, which both backup apps write as the
// phone gave them: a call log entry's type, a text's type (an SMS's type
// and an MMS's msg_box agree). What each means is said here once, for
// every source that reads them.

// CallWay is the way a call of Android's call log type t went; why says,
// in words a dry run shows, why it counts for nothing ("" when it may).
func CallWay(t int) (way Way, why string) {
	switch t {
	case 1, 7: // incoming; answered on another device
		return Incoming, ""
	case 2:
		return Outgoing, ""
	case 3:
		return Missed, "a call missed"
	case 4:
		return Missed, "a call that went to voicemail"
	case 5:
		return Missed, "a call rejected"
	case 6:
		return Missed, "a call blocked"
	}
	return 0, "a call of a type Android does not write (" + strconv.Itoa(t) + ")"
}

// TextWay is the way a text of Android's type t went (an SMS's type, an
// MMS's box); why says why it counts for nothing ("" when it may).
func TextWay(t int) (way Way, why string) {
	switch t {
	case 1:
		return Incoming, ""
	case 2:
		return Outgoing, ""
	case 3:
		return 0, "a draft, never sent"
	case 4:
		return 0, "a text still in the outbox"
	case 5:
		return 0, "a text that failed to send"
	case 6:
		return 0, "a text queued, not sent"
	}
	return 0, "a text of a type Android does not write (" + strconv.Itoa(t) + ")"
}
