package config

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"text/template"
)

// WebhookSpec is any HTTP endpoint: a request to URL with the reminder in
// a body that Body shapes (notify's http service sends it).
type WebhookSpec struct {
	URL         Secret            // may carry a token in its path or query
	Method      string            // POST, PUT or PATCH
	Headers     map[string]Secret // values are secrets: Authorization = "Bearer ${TOKEN}"
	ContentType string            // application/json or text/plain
	// Body is a Go template of the request body with .Title, .Text,
	// .Markdown and .Link (and json to quote a value); "" for
	// {"subject": title, "message": text}.
	Body string
}

func init() { registerChannel("webhook", func() ChannelSpec { return &WebhookSpec{} }) }

func (*WebhookSpec) keys() []string {
	return []string{"type", "url", "url_file", "method", "headers", "content_type", "body"}
}

// WebhookTemplateFuncs are the functions a webhook body may call: json
// quotes a value for a JSON body. The notifier renders bodies with them.
var WebhookTemplateFuncs = template.FuncMap{"json": func(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}}

func (s *WebhookSpec) read(r *reader, t map[string]any, p path) {
	s.URL = r.secret(t, p, "url")
	if !s.URL.IsSet() {
		if !present(t, "url", "url_file") {
			r.ps.add(p, "a webhook channel needs url = \"https://...\" (or url_file)")
		}
	} else if _, ok := parseHTTPURL(s.URL.Reveal()); !ok {
		r.ps.add(p.with("url"), "is not an http(s) URL (its value is a secret and not shown)")
	}
	s.Method = "POST"
	if m, ok := r.str(t, p, "method"); ok {
		switch strings.ToUpper(m) {
		case "POST", "PUT", "PATCH":
			s.Method = strings.ToUpper(m)
		default:
			r.ps.add(p.with("method"), "method must be POST, PUT or PATCH (a reminder has a body), not %q", m)
		}
	}
	s.ContentType = "application/json"
	if c, ok := r.str(t, p, "content_type"); ok {
		switch c {
		case "application/json", "text/plain":
			s.ContentType = c
		default:
			r.ps.add(p.with("content_type"), "content_type must be \"application/json\" or \"text/plain\", not %q", c)
		}
	}
	if h, ok := r.table(t, p, "headers"); ok {
		s.Headers = map[string]Secret{}
		names := make([]string, 0, len(h))
		for k := range h {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			s.Headers[k] = r.secret(h, p.with("headers"), k)
		}
	}
	if b, ok := r.str(t, p, "body"); ok {
		tmpl, err := template.New("body").Funcs(WebhookTemplateFuncs).Option("missingkey=error").Parse(b)
		if err == nil {
			// Tried on sample data, so that {{.Titel}} is caught now.
			err = tmpl.Execute(io.Discard, map[string]string{"Title": "t", "Text": "x", "Markdown": "m", "Link": "l"})
		}
		if err != nil {
			r.ps.add(p.with("body"), "is not a usable template: %v; it may use .Title, .Text, .Markdown, .Link and json", err)
		}
		s.Body = b
	}
}
