package web

import (
	"context"
	"net/http"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rekindle/rekindle/deliver"
)

// Metrics is the daemon's own Prometheus registry.
type Metrics struct {
	reg        *prometheus.Registry
	Runs       prometheus.Counter
	Reminders  *prometheus.CounterVec // by kind
	Deliveries *prometheus.CounterVec // by channel and outcome
	LastRun    prometheus.Gauge
	Reloads    *prometheus.CounterVec // by result
	ReloadOK   prometheus.Gauge
}

// Delivery outcomes, as the deliveries counter labels them.
var outcomes = []string{"sent", "retry", "failed"}

// NewMetrics makes the registry; pending reports the outbox's pending rows
// on each scrape.
func NewMetrics(pending func(context.Context) (int, error)) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		Runs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rekindle_runs_total", Help: "Scheduled runs completed."}),
		Reminders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rekindle_reminders_total", Help: "Reminders enqueued, by kind."}, []string{"kind"}),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rekindle_deliveries_total", Help: "Delivery attempts, by channel and outcome (sent, retry, failed)."}, []string{"channel", "outcome"}),
		LastRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rekindle_last_run_timestamp_seconds", Help: "When the last run finished, Unix time (read from the state file at start)."}),
		Reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rekindle_config_reloads_total", Help: "Config reloads, by result (success, failure)."}, []string{"result"}),
		ReloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rekindle_config_last_reload_successful", Help: "1 if the last config reload succeeded (or none was tried), else 0."}),
	}
	m.ReloadOK.Set(1)
	// Counters with labels exist from the start, at 0, so that rate() and
	// alerts see them before their first event.
	m.Reloads.WithLabelValues("success")
	m.Reloads.WithLabelValues("failure")
	pendingGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "rekindle_outbox_pending", Help: "Deliveries waiting in the outbox."},
		func() float64 {
			n, err := pending(context.Background())
			if err != nil {
				return -1
			}
			return float64(n)
		})
	b := Build()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "rekindle_build_info", Help: "Always 1; the labels say which rekindle this is.",
		ConstLabels: prometheus.Labels{"version": b.Version, "revision": b.Revision, "goversion": b.GoVersion}})
	info.Set(1)
	m.reg.MustRegister(m.Runs, m.Reminders, m.Deliveries, m.LastRun, m.Reloads, m.ReloadOK, pendingGauge, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Known creates the labelled series of every reminder kind and channel at
// 0; a reload that adds a channel calls it again.
func (m *Metrics) Known(kinds, channels []string) {
	for _, k := range kinds {
		m.Reminders.WithLabelValues(k)
	}
	for _, ch := range channels {
		for _, o := range outcomes {
			m.Deliveries.WithLabelValues(ch, o)
		}
	}
}

// WatchChannels exports how each channel fares (its backoff, failures in a
// row, a capped Retry-After, sends not yet recorded), read on each scrape.
func (m *Metrics) WatchChannels(states func() []deliver.ChannelState) {
	m.reg.MustRegister(channelCollector(states))
}

var (
	descUntil = prometheus.NewDesc("rekindle_channel_backoff_until_timestamp_seconds",
		"Until when a channel is held back after failures, Unix time.", []string{"channel"}, nil)
	descFailures = prometheus.NewDesc("rekindle_channel_failures_in_a_row",
		"Temporary failures of a channel since its last success.", []string{"channel"}, nil)
	descAsked = prometheus.NewDesc("rekindle_channel_retry_after_capped_seconds",
		"The wait a server asked for when it was longer than rekindle waits (6h, used instead).", []string{"channel"}, nil)
	descUnrecorded = prometheus.NewDesc("rekindle_channel_unrecorded_deliveries",
		"Deliveries a channel accepted that the state file could not record yet.", []string{"channel"}, nil)
)

type channelCollector func() []deliver.ChannelState

func (c channelCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descUntil
	ch <- descFailures
	ch <- descAsked
	ch <- descUnrecorded
}

func (c channelCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c() {
		if !s.Until.IsZero() {
			ch <- prometheus.MustNewConstMetric(descUntil, prometheus.GaugeValue, float64(s.Until.UnixMilli())/1000, s.Channel)
		}
		ch <- prometheus.MustNewConstMetric(descFailures, prometheus.GaugeValue, float64(s.Failures), s.Channel)
		if s.Asked > 0 {
			ch <- prometheus.MustNewConstMetric(descAsked, prometheus.GaugeValue, s.Asked.Seconds(), s.Channel)
		}
		if s.Unrecorded > 0 {
			ch <- prometheus.MustNewConstMetric(descUnrecorded, prometheus.GaugeValue, float64(s.Unrecorded), s.Channel)
		}
	}
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// BuildInfo is what `rekindle version` and rekindle_build_info tell.
type BuildInfo struct {
	Version   string // the module version, or "(devel)"
	Revision  string // the VCS commit, if known
	Time      string // the commit's time
	Modified  bool   // built from a tree with changes
	GoVersion string
}

// Build reads the binary's build information.
func Build() BuildInfo {
	b := BuildInfo{Version: "(devel)"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.GoVersion = info.GoVersion
	if info.Main.Version != "" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}
