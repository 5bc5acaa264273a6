package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"math"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rekindle/rekindle/deliver"
	"github.com/rekindle/rekindle/rules"
)

// Metrics is the daemon's own metrics, served in Prometheus's text format
// (version 0.0.4) with the Go runtime's and the process's. It is written
// here, not with prometheus/client_golang: that library links protobuf and
// procfs into the binary, whose package initialisers cost every start of
// every command (rekindle version included) about 4 ms of CPU and the idle
// daemon its resident pages, for a dozen numbers. The names, types, labels
// and HELP texts are those the library wrote (TestMetricsExposition).
type Metrics struct {
	Runs       *Counter
	Reminders  *CounterVec // by kind
	Deliveries *CounterVec // by channel and outcome
	LastRun    *Gauge
	Reloads    *CounterVec // by result
	ReloadOK   *Gauge

	pending  func(context.Context) (int, error)
	build    BuildInfo
	channels atomic.Pointer[func() []deliver.ChannelState]
}

// Delivery outcomes, as the deliveries counter labels them.
var outcomes = []string{"sent", "retry", "failed"}

// NewMetrics makes the metrics; pending reports the outbox's pending rows
// on each scrape.
func NewMetrics(pending func(context.Context) (int, error)) *Metrics {
	m := &Metrics{
		Runs:       &Counter{},
		Reminders:  newCounterVec("kind"),
		Deliveries: newCounterVec("channel", "outcome"),
		LastRun:    &Gauge{},
		Reloads:    newCounterVec("result"),
		ReloadOK:   &Gauge{},
		pending:    pending,
		build:      Build(),
	}
	m.ReloadOK.Set(1)
	// Counters with labels exist from the start, at 0, so that rate() and
	// alerts see them before their first event.
	m.Reloads.WithLabelValues("success")
	m.Reloads.WithLabelValues("failure")
	return m
}

// Reloaded counts a config reload by its result, and says whether the
// last one succeeded.
func (m *Metrics) Reloaded(ok bool) {
	result, v := "failure", 0.0
	if ok {
		result, v = "success", 1
	}
	m.Reloads.WithLabelValues(result).Inc()
	m.ReloadOK.Set(v)
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

// Ran counts a finished run and the reminders it made, by kind.
func (m *Metrics) Ran(kinds map[rules.Kind]int) {
	m.Runs.Inc()
	m.LastRun.SetToCurrentTime()
	for k, n := range kinds {
		m.Reminders.WithLabelValues(string(k)).Add(float64(n))
	}
}

// Delivered counts n deliveries through ch by their outcome.
func (m *Metrics) Delivered(ch, outcome string, n int) {
	m.Deliveries.WithLabelValues(ch, outcome).Add(float64(n))
}

// KnowChannels is Known for every reminder kind and the channels named.
func (m *Metrics) KnowChannels(channels []string) {
	kinds := make([]string, 0, len(rules.Kinds))
	for _, k := range rules.Kinds {
		kinds = append(kinds, string(k))
	}
	m.Known(kinds, channels)
}

// WatchChannels exports how each channel fares (its backoff, failures in a
// row, a capped Retry-After, sends not yet recorded), read on each scrape.
func (m *Metrics) WatchChannels(states func() []deliver.ChannelState) {
	m.channels.Store(&states)
}

// A Counter only goes up; a Gauge is set. Both hold a float64 in atomic
// bits, so that the daemon's loop and a scrape need no lock.
type (
	Counter struct{ bits atomic.Uint64 }
	Gauge   struct{ bits atomic.Uint64 }
)

// Inc adds 1.
func (c *Counter) Inc() { c.Add(1) }

// Add adds v, which must not be negative.
func (c *Counter) Add(v float64) {
	for {
		old := c.bits.Load()
		if c.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// Value is the count so far.
func (c *Counter) Value() float64 { return math.Float64frombits(c.bits.Load()) }

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// SetToCurrentTime sets the gauge to the time now, in Unix seconds.
func (g *Gauge) SetToCurrentTime() { g.Set(float64(time.Now().UnixNano()) / 1e9) }

// Value is what the gauge was last set to.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

// A CounterVec is a counter for each combination of its labels' values.
type CounterVec struct {
	labels []string // in the order of their names, as the output sorts them
	mu     sync.Mutex
	series map[string]*labelled // by the values joined with a 0 byte
}

type labelled struct {
	values []string
	Counter
}

func newCounterVec(labels ...string) *CounterVec {
	return &CounterVec{labels: labels, series: map[string]*labelled{}}
}

// WithLabelValues is the counter of these label values (one for each
// label, in order), made at 0 the first time.
func (v *CounterVec) WithLabelValues(values ...string) *Counter {
	if len(values) != len(v.labels) {
		panic("metrics: " + strconv.Itoa(len(values)) + " label values for " + strconv.Itoa(len(v.labels)) + " labels")
	}
	key := strings.Join(values, "\x00")
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.series[key]
	if !ok {
		s = &labelled{values: slices.Clone(values)}
		v.series[key] = s
	}
	return &s.Counter
}

// Handler serves the metrics in Prometheus's text format, gzipped when the
// client takes it.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8; escaping=underscores")
		h.Add("Vary", "Accept")
		h.Add("Vary", "Accept-Encoding")
		var out []byte
		out = m.appendText(out)
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(out)
			zw.Close()
			return
		}
		w.Write(out)
	})
}

func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		if strings.TrimSpace(coding) != "gzip" {
			continue
		}
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// A family is one metric's name, HELP text, type and samples, as the text
// format writes them.
type family struct {
	name, help, typ string
	samples         []sample
}

// sample is one line: the name's suffix (_sum, _count of a summary), the
// labels in the order of their names, and the value.
type sample struct {
	suffix string
	labels [][2]string
	value  float64
}

func one(name, help, typ string, v float64) family {
	return family{name: name, help: help, typ: typ, samples: []sample{{value: v}}}
}

// families is every metric at this moment.
func (m *Metrics) families() []family {
	fs := []family{
		one("rekindle_runs_total", "Scheduled runs completed.", "counter", m.Runs.Value()),
		m.Reminders.family("rekindle_reminders_total", "Reminders enqueued, by kind."),
		m.Deliveries.family("rekindle_deliveries_total", "Delivery attempts, by channel and outcome (sent, retry, failed)."),
		one("rekindle_last_run_timestamp_seconds", "When the last run finished, Unix time (read from the state file at start).", "gauge", m.LastRun.Value()),
		m.Reloads.family("rekindle_config_reloads_total", "Config reloads, by result (success, failure)."),
		one("rekindle_config_last_reload_successful", "1 if the last config reload succeeded (or none was tried), else 0.", "gauge", m.ReloadOK.Value()),
		{name: "rekindle_build_info", help: "Always 1; the labels say which rekindle this is.", typ: "gauge", samples: []sample{{
			labels: [][2]string{{"goversion", m.build.GoVersion}, {"revision", m.build.Revision}, {"version", m.build.Version}}, value: 1}}},
	}
	pending := -1.0
	if n, err := m.pending(context.Background()); err == nil {
		pending = float64(n)
	}
	fs = append(fs, one("rekindle_outbox_pending", "Deliveries waiting in the outbox.", "gauge", pending))
	if states := m.channels.Load(); states != nil {
		fs = append(fs, channelFamilies((*states)())...)
	}
	fs = append(fs, goFamilies()...)
	fs = append(fs, processFamilies()...)
	slices.SortFunc(fs, func(a, b family) int { return strings.Compare(a.name, b.name) })
	return fs
}

// family is the vector's series, sorted by their label values.
func (v *CounterVec) family(name, help string) family {
	f := family{name: name, help: help, typ: "counter"}
	v.mu.Lock()
	for _, s := range v.series {
		labels := make([][2]string, len(v.labels))
		for i, l := range v.labels {
			labels[i] = [2]string{l, s.values[i]}
		}
		f.samples = append(f.samples, sample{labels: labels, value: s.Value()})
	}
	v.mu.Unlock()
	slices.SortFunc(f.samples, func(a, b sample) int {
		for i := range a.labels {
			if c := strings.Compare(a.labels[i][1], b.labels[i][1]); c != 0 {
				return c
			}
		}
		return 0
	})
	return f
}

// channelFamilies says how each channel fares; a family with no channel
// to report is left out, as are the backoff of a channel not held back and
// the capped wait and unrecorded sends of one that has none.
func channelFamilies(states []deliver.ChannelState) []family {
	until := family{name: "rekindle_channel_backoff_until_timestamp_seconds", typ: "gauge",
		help: "Until when a channel is held back after failures, Unix time."}
	failures := family{name: "rekindle_channel_failures_in_a_row", typ: "gauge",
		help: "Temporary failures of a channel since its last success."}
	asked := family{name: "rekindle_channel_retry_after_capped_seconds", typ: "gauge",
		help: "The wait a server asked for when it was longer than rekindle waits (6h, used instead)."}
	unrecorded := family{name: "rekindle_channel_unrecorded_deliveries", typ: "gauge",
		help: "Deliveries a channel accepted that the state file could not record yet."}
	for _, s := range states {
		l := [][2]string{{"channel", s.Channel}}
		if !s.Until.IsZero() {
			until.samples = append(until.samples, sample{labels: l, value: float64(s.Until.UnixMilli()) / 1000})
		}
		failures.samples = append(failures.samples, sample{labels: l, value: float64(s.Failures)})
		if s.Asked > 0 {
			asked.samples = append(asked.samples, sample{labels: l, value: s.Asked.Seconds()})
		}
		if s.Unrecorded > 0 {
			unrecorded.samples = append(unrecorded.samples, sample{labels: l, value: float64(s.Unrecorded)})
		}
	}
	out := []family{until, failures, asked, unrecorded}
	for i := range out {
		slices.SortStableFunc(out[i].samples, func(a, b sample) int { return strings.Compare(a.labels[0][1], b.labels[0][1]) })
	}
	return out
}

// goFamilies are the Go runtime's figures, under the names and with the
// HELP texts of client_golang's Go collector (its default set), which
// dashboards for Go programs expect.
func goFamilies() []family {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var gc debug.GCStats
	gc.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&gc)
	threads, _ := runtime.ThreadCreateProfile(nil)
	rm := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}, {Name: "/sched/gomaxprocs:threads"}}
	metrics.Read(rm)
	rmValue := func(i int) float64 {
		if rm[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return float64(rm[i].Value.Uint64())
	}

	pauses := family{name: "go_gc_duration_seconds", typ: "summary",
		help: "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles."}
	for i, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		pauses.samples = append(pauses.samples, sample{labels: [][2]string{{"quantile", q}}, value: gc.PauseQuantiles[i].Seconds()})
	}
	pauses.samples = append(pauses.samples, sample{suffix: "_sum", value: gc.PauseTotal.Seconds()}, sample{suffix: "_count", value: float64(gc.NumGC)})

	mem := func(name, help, typ string, v uint64) family {
		return one("go_memstats_"+name, help, typ, float64(v))
	}
	return []family{
		pauses,
		one("go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.", "gauge", rmValue(0)),
		one("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.", "gauge", rmValue(1)),
		one("go_goroutines", "Number of goroutines that currently exist.", "gauge", float64(runtime.NumGoroutine())),
		{name: "go_info", help: "Information about the Go environment.", typ: "gauge", samples: []sample{{labels: [][2]string{{"version", runtime.Version()}}, value: 1}}},
		mem("alloc_bytes", "Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.", "gauge", ms.Alloc),
		mem("alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.", "counter", ms.TotalAlloc),
		mem("buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.", "gauge", ms.BuckHashSys),
		mem("frees_total", "Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.", "counter", ms.Frees),
		mem("gc_sys_bytes", "Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.", "gauge", ms.GCSys),
		mem("heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.", "gauge", ms.HeapAlloc),
		mem("heap_idle_bytes", "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", "gauge", ms.HeapIdle),
		mem("heap_inuse_bytes", "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes", "gauge", ms.HeapInuse),
		mem("heap_objects", "Number of currently allocated objects. Equals to /gc/heap/objects:objects.", "gauge", ms.HeapObjects),
		mem("heap_released_bytes", "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.", "gauge", ms.HeapReleased),
		mem("heap_sys_bytes", "Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", "gauge", ms.HeapSys),
		one("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", "gauge", float64(gc.LastGC.UnixNano())/1e9),
		mem("mallocs_total", "Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.", "counter", ms.Mallocs),
		mem("mcache_inuse_bytes", "Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.", "gauge", ms.MCacheInuse),
		mem("mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.", "gauge", ms.MCacheSys),
		mem("mspan_inuse_bytes", "Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.", "gauge", ms.MSpanInuse),
		mem("mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.", "gauge", ms.MSpanSys),
		mem("next_gc_bytes", "Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.", "gauge", ms.NextGC),
		mem("other_sys_bytes", "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.", "gauge", ms.OtherSys),
		mem("stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.", "gauge", ms.StackInuse),
		mem("stack_sys_bytes", "Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.", "gauge", ms.StackSys),
		mem("sys_bytes", "Number of bytes obtained from system. Equals to /memory/classes/total:byte.", "gauge", ms.Sys),
		one("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.", "gauge", rmValue(2)),
		one("go_threads", "Number of OS threads created.", "gauge", float64(threads)),
	}
}

// processFamilies are the process's figures from /proc and its limits,
// under the names of client_golang's process collector; those that cannot
// be read (no /proc) are left out.
func processFamilies() []family {
	var out []family
	if st, ok := procStat(); ok {
		out = append(out,
			one("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", st.cpu),
			one("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", st.rss),
			one("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", st.vsize))
		if st.start > 0 {
			out = append(out, one("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge", st.start))
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		out = append(out, one("process_open_fds", "Number of open file descriptors.", "gauge", float64(len(fds)))) // ReadDir's own among them, as client_golang counted
	}
	var files, space syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &files) == nil && syscall.Getrlimit(syscall.RLIMIT_AS, &space) == nil {
		out = append(out,
			one("process_max_fds", "Maximum number of open file descriptors.", "gauge", float64(files.Cur)),
			one("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", "gauge", float64(space.Cur)))
	}
	if in, outBytes, ok := procNetOctets(); ok {
		out = append(out,
			one("process_network_receive_bytes_total", "Number of bytes received by the process over the network.", "counter", in),
			one("process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.", "counter", outBytes))
	}
	return out
}

// userHZ is the unit of /proc's CPU times and start time: 100 a second on
// Linux everywhere Go runs.
const userHZ = 100

type stat struct{ cpu, rss, vsize, start float64 }

// procStat reads /proc/self/stat: fields 14 and 15 (user and system
// time), 22 (start, since boot), 23 (virtual size) and 24 (resident pages),
// counted after the command name, which is in parentheses and may hold
// spaces.
func procStat() (stat, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return stat{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return stat{}, false
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3
	if len(f) < 22 {
		return stat{}, false
	}
	field := func(n int) float64 { v, _ := strconv.ParseUint(f[n-3], 10, 64); return float64(v) }
	st := stat{
		cpu:   (field(14) + field(15)) / userHZ,
		vsize: field(23),
		rss:   field(24) * float64(os.Getpagesize()),
	}
	if boot, ok := bootTime(); ok {
		st.start = boot + field(22)/userHZ
	}
	return st, true
}

// bootTime is /proc/stat's btime, the boot in Unix seconds.
func bootTime() (float64, bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "btime "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return float64(n), err == nil
		}
	}
	return 0, false
}

// procNetOctets reads the bytes in and out of the process's network
// namespace from /proc/self/net/netstat, whose IpExt lines are a row of
// names and a row of values.
func procNetOctets() (in, out float64, ok bool) {
	b, err := os.ReadFile("/proc/self/net/netstat")
	if err != nil {
		return 0, 0, false
	}
	var names []string
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, found := strings.CutPrefix(line, "IpExt: ")
		if !found {
			continue
		}
		if names == nil {
			names = strings.Fields(rest)
			continue
		}
		for i, v := range strings.Fields(rest) {
			if i >= len(names) {
				break
			}
			n, _ := strconv.ParseFloat(v, 64)
			switch names[i] {
			case "InOctets":
				in = n
			case "OutOctets":
				out = n
			}
		}
		return in, out, true
	}
	return 0, 0, false
}

// appendText writes the families in the text format: sorted by name, each
// with its HELP and TYPE lines, a family with no samples left out.
func (m *Metrics) appendText(b []byte) []byte {
	for _, f := range m.families() {
		if len(f.samples) == 0 {
			continue
		}
		b = append(b, "# HELP "...)
		b = append(b, f.name...)
		b = append(b, ' ')
		b = appendEscaped(b, f.help, false)
		b = append(b, "\n# TYPE "...)
		b = append(b, f.name...)
		b = append(b, ' ')
		b = append(b, f.typ...)
		b = append(b, '\n')
		for _, s := range f.samples {
			b = append(b, f.name...)
			b = append(b, s.suffix...)
			if len(s.labels) > 0 {
				b = append(b, '{')
				for i, l := range s.labels {
					if i > 0 {
						b = append(b, ',')
					}
					b = append(b, l[0]...)
					b = append(b, `="`...)
					b = appendEscaped(b, l[1], true)
					b = append(b, '"')
				}
				b = append(b, '}')
			}
			b = append(b, ' ')
			b = appendFloat(b, s.value)
			b = append(b, '\n')
		}
	}
	return b
}

// appendEscaped escapes a backslash and a line break, and in a label
// value a double quote too.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendFloat writes v as the text format does: the shortest form that
// reads back the same, and NaN, +Inf, -Inf.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
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
