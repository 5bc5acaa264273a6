package redact

import (
	"context"
	"fmt"
	"log/slog"
)

// Handler wraps next so that no secret reaches the log: the message and
// every attribute (strings, errors, anything printed, in groups too) pass
// through the Redactor that r returns at that moment (nil: none), which a
// reload may change. It is the last line of defence behind the errors
// that are redacted where they are made.
func Handler(next slog.Handler, r func() *Redactor) slog.Handler {
	return &handler{next: next, r: r}
}

type handler struct {
	next slog.Handler
	r    func() *Redactor
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	r := h.r()
	if r == nil {
		return h.next.Handle(ctx, rec)
	}
	out := slog.NewRecord(rec.Time, rec.Level, r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	r := h.r()
	cut := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		cut[i] = r.attr(a)
	}
	return &handler{next: h.next.WithAttrs(cut), r: h.r}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), r: h.r}
}

// attr is a with its value's secrets cut out. A value that is not text
// (a number, a time) is kept as it is; an error or any other value is
// kept unless its text held a secret, when it becomes that text cut.
func (r *Redactor) attr(a slog.Attr) slog.Attr {
	if r == nil {
		return a
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		cut := make([]any, len(g))
		for i, x := range g {
			cut[i] = r.attr(x)
		}
		return slog.Group(a.Key, cut...)
	case slog.KindAny:
		var text string
		switch x := v.Any().(type) {
		case error:
			text = x.Error()
		case fmt.Stringer:
			text = x.String()
		default:
			text = fmt.Sprintf("%+v", x)
		}
		if cut := r.String(text); cut != text {
			return slog.String(a.Key, cut)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
