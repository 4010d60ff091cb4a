package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestProc reads this test's own process, as the harness reads its children's.
func TestProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system: the harness reports no CPU or RSS here")
	}
	p := proc{pid: os.Getpid()}
	// Burn some CPU, so that at least one clock tick is counted.
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
	}
	if cpu, ok := p.cpu(); !ok || cpu <= 0 {
		t.Errorf("cpu() = %s, %v; want some CPU time", cpu, ok)
	}
	for _, field := range []string{"VmRSS", "VmHWM"} {
		if v, ok := p.memory(field); !ok || v < 1<<20 {
			t.Errorf("memory(%s) = %d, %v; want at least a MiB", field, v, ok)
		}
	}
	if _, ok := (proc{}).cpu(); ok {
		t.Error("a target's proc (pid 0) reads CPU time")
	}
}

// TestChecks: the report ticks a target that holds and leaves one that does not.
func TestChecks(t *testing.T) {
	run := func(name string, n uint64, d time.Duration, base string) outcome {
		return outcome{load: load{name: name, base: base, duration: d},
			metrics: vegeta.Metrics{Requests: n, Duration: d, StatusCodes: map[string]int{"200": int(n)}}}
	}
	echo := run("bare Echo", 2000, time.Second, "")
	runs := []outcome{
		run("send-link, existing user, window 1", 1200, time.Second, "echo"),
		run("send-link, existing user, window 3", 1000, time.Second, "echo"),
		run("reset, one reusable link", 40, time.Second, "hasher"),
	}
	sustained := run("sustained", 1, time.Minute+2*time.Second, "echo")
	for s := range 40 { // 100 answers/s, then 80 from the 25th second on; the last second cut short
		sustained.bySecond = append(sustained.bySecond, map[bool]int{true: 100, false: 80}[s < 25])
	}
	sustained.bySecond[39] = 3
	rss := []int64{900 << 20, 3000 << 20} // the warm-up, then 100 MiB give or take 8, rising to 105
	for i := range 30 {
		rss = append(rss, int64(100+(i%3)*8/2+i/6)<<20)
	}
	var cpu []time.Duration // 100 ms a second: 1 ms an answer at 100/s, 1.14 ms over 4 s at 100/s and 6 at 80/s
	for i := range rss {
		cpu = append(cpu, time.Duration(i)*100*time.Millisecond)
	}
	var out bytes.Buffer
	checks(&out, echo, hashRate{hashes: 50, elapsed: time.Second}, runs, &rssSeries{
		run: sustained, warmUp: 2 * time.Second, samples: rss, cpu: cpu})
	for _, want := range []string{
		"- [x] send-link ≥ 0.5 × bare Echo, every answer 200: 0.60 × Echo",
		"- [ ] third window ≥ 0.9 × the first: 0.83 ×",
		"- [ ] reset, one reusable link: every answer 200 and ≥ 0.9 × raw argon2id: 0.80 × argon2id",
		"- [x] RSS flat within 10 % over 1m0s after 2s warm-up: 104.0 MiB in the first 10 s, 108.0 in the last (+3.8 %); samples 100.0 to 112.0 MiB",
		"- [ ] the work per answer does not grow over 1m0s: CPU/answer 1ms in the first 10 s after warm-up, 1.14ms in the last",
		"- [ ] no slowdown over 1m0s: the last 10 s at 0.80 × the first 10 s after warm-up (100 and 80 answers/s)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestReadAllocs reads the two counters from Prometheus's text format, and nothing
// from a server without them.
func TestReadAllocs(t *testing.T) {
	metrics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# HELP go_memstats_mallocs_total Total number of heap objects allocated.\n"+
			"# TYPE go_memstats_mallocs_total counter\ngo_memstats_mallocs_total 11612\n"+
			"go_memstats_alloc_bytes_total 2.1267496e+07\ngo_memstats_alloc_bytes 5e+06\n"+
			"pwreset_password_hash_duration_seconds_sum 1.5\npwreset_password_hash_duration_seconds_count 42\n")
	}))
	defer metrics.Close()
	a, ok := readAllocs(metrics.URL)
	if !ok || a.objects != 11612 || a.bytes != 21267496 || a.hashes != 42 {
		t.Fatalf("readAllocs = %+v, %v; want 11612 objects, 21267496 bytes, 42 hashes", a, ok)
	}
	none := httptest.NewServer(http.NotFoundHandler())
	defer none.Close()
	if a, ok := readAllocs(none.URL); ok {
		t.Fatalf("readAllocs of a server without metrics = %+v, true", a)
	}
}
