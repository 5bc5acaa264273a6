package web

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
			Name: "rekindle_last_run_timestamp_seconds", Help: "When the last run finished, Unix time."}),
		Reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rekindle_config_reloads_total", Help: "Config reloads, by result (success, failure)."}, []string{"result"}),
		ReloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rekindle_config_last_reload_successful", Help: "1 if the last config reload succeeded (or none was tried), else 0."}),
	}
	m.ReloadOK.Set(1)
	pendingGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "rekindle_outbox_pending", Help: "Deliveries waiting in the outbox."},
		func() float64 {
			n, err := pending(context.Background())
			if err != nil {
				return -1
			}
			return float64(n)
		})
	m.reg.MustRegister(m.Runs, m.Reminders, m.Deliveries, m.LastRun, m.Reloads, m.ReloadOK, pendingGauge,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
