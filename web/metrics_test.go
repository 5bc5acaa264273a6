package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/rekindle/rekindle/deliver"
)

// scrape serves m once as Prometheus would ask for it, and returns the
// response and its body.
func scrape(t *testing.T, m *Metrics, acceptEncoding string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	m.Handler().ServeHTTP(rec, req)
	res := rec.Result()
	body := io.Reader(res.Body)
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// fixedMetrics has every family rekindle writes, with values a test can
// name, and a channel whose name needs escaping in a label.
func fixedMetrics() *Metrics {
	m := NewMetrics(func(context.Context) (int, error) { return 7, nil })
	m.Known([]string{"occasion", "check_in"}, []string{"phone", "console", "odd \"name\" \\ here"})
	m.Runs.Inc()
	m.Runs.Inc()
	m.Reminders.WithLabelValues("check_in").Add(3)
	m.Deliveries.WithLabelValues("phone", "sent").Add(2)
	m.Deliveries.WithLabelValues("phone", "retry").Inc()
	m.LastRun.Set(1796624157.1488094)
	m.Reloads.WithLabelValues("failure").Inc()
	m.ReloadOK.Set(0)
	m.WatchChannels(func() []deliver.ChannelState {
		return []deliver.ChannelState{
			{Channel: "phone", Failures: 2, Until: time.UnixMilli(1796624200500), Asked: 9 * time.Hour, Unrecorded: 1},
			{Channel: "console"},
		}
	})
	return m
}

// TestMetricsExposition: /metrics is Prometheus text that an independent
// parser (prometheus/common's expfmt) reads, with the names, types, labels,
// HELP texts and order that client_golang wrote before rekindle wrote them
// itself: testdata/metrics.golden was made by that code (go test -update
// on it), with the values of the Go runtime and the process masked.
func TestMetricsExposition(t *testing.T) {
	res, body := scrape(t, fixedMetrics(), "")
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8; escaping=underscores" {
		t.Errorf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the parser refused /metrics: %v\n%s", err, body)
	}
	value := func(name string, labels ...string) float64 {
		t.Helper()
		f := families[name]
		if f == nil {
			t.Fatalf("no %s", name)
		}
	next:
		for _, m := range f.Metric {
			for i := 0; i < len(labels); i += 2 {
				if !hasLabel(m, labels[i], labels[i+1]) {
					continue next
				}
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue()
			}
		}
		t.Fatalf("no %s%v", name, labels)
		return 0
	}
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"rekindle_runs_total", nil, 2},
		{"rekindle_reminders_total", []string{"kind", "check_in"}, 3},
		{"rekindle_reminders_total", []string{"kind", "occasion"}, 0},
		{"rekindle_deliveries_total", []string{"channel", "phone", "outcome", "sent"}, 2},
		{"rekindle_deliveries_total", []string{"channel", "odd \"name\" \\ here", "outcome", "failed"}, 0},
		{"rekindle_last_run_timestamp_seconds", nil, 1796624157.1488094},
		{"rekindle_config_reloads_total", []string{"result", "failure"}, 1},
		{"rekindle_config_reloads_total", []string{"result", "success"}, 0},
		{"rekindle_config_last_reload_successful", nil, 0},
		{"rekindle_outbox_pending", nil, 7},
		{"rekindle_channel_backoff_until_timestamp_seconds", []string{"channel", "phone"}, 1796624200.5},
		{"rekindle_channel_failures_in_a_row", []string{"channel", "console"}, 0},
		{"rekindle_channel_retry_after_capped_seconds", []string{"channel", "phone"}, 9 * 3600},
		{"rekindle_channel_unrecorded_deliveries", []string{"channel", "phone"}, 1},
		{"rekindle_build_info", nil, 1},
		{"go_info", nil, 1},
	} {
		if got := value(tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v; want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if n := len(families["rekindle_channel_backoff_until_timestamp_seconds"].Metric); n != 1 {
		t.Errorf("backoff of %d channels; want only the one held back", n)
	}
	if v := value("process_resident_memory_bytes"); v < 1<<20 {
		t.Errorf("process_resident_memory_bytes %v", v)
	}
	if v := value("go_goroutines"); v < 1 {
		t.Errorf("go_goroutines %v", v)
	}

	got := masked(body)
	golden := filepath.Join("testdata", "metrics.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("/metrics differs from %s:\n%s", golden, lineDiff(string(want), got))
	}
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue() == value
		}
	}
	return false
}

// masked is the exposition with what differs from run to run replaced:
// the values of the Go runtime's and the process's series, and the Go
// version.
var (
	runtimeValue = regexp.MustCompile(`(?m)^((?:go|process)_[^ ]+) \S+$`)
	goVersion    = regexp.MustCompile(`(goversion|version)="go[^"]*"`)
)

func masked(s string) string {
	s = runtimeValue.ReplaceAllString(s, "$1 V")
	return goVersion.ReplaceAllString(s, `$1="GO"`)
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d: want %s\n         got  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// TestMetricsGzip: a client that takes gzip gets the same text gzipped, as
// Prometheus asks for it; one that refuses it (q=0) gets it plain.
func TestMetricsGzip(t *testing.T) {
	m := fixedMetrics()
	res, zipped := scrape(t, m, "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding: gzip answered with Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	_, plain := scrape(t, m, "")
	if masked(zipped) != masked(plain) {
		t.Error("the gzipped text differs from the plain")
	}
	if res, _ := scrape(t, m, "gzip;q=0, identity"); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 answered with Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}

// TestMetricsPendingError: an outbox that cannot be read shows as -1.
func TestMetricsPendingError(t *testing.T) {
	m := NewMetrics(func(context.Context) (int, error) { return 0, errors.New("locked") })
	_, body := scrape(t, m, "")
	if !bytes.Contains([]byte(body), []byte("\nrekindle_outbox_pending -1\n")) {
		t.Errorf("pending on error:\n%s", body)
	}
}
