package main

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// load is one run: what to send, how fast, for how long.
type load struct {
	name    string
	targets vegeta.Targeter
	// rate is requests/s; 0 saturates the server with conns connections, each
	// sending its next request as soon as the answer to the last one arrived.
	rate     int
	conns    int
	duration time.Duration
	// base names the reference a ratio is taken to: "echo" or "hasher".
	base string
}

// outcome is what a run measured.
type outcome struct {
	load
	metrics vegeta.Metrics
	cpu     time.Duration // the server's CPU time during the run; 0 if unknown
	peakRSS int64         // the server's peak RSS during the run, bytes; 0 if unknown
	// bySecond counts the answers to the requests sent in each second of the run.
	bySecond []int
	// allocs is what the server allocated during the run; zero if unknown.
	allocs allocs
	// loadAvg is the machine's load average (1 minute) when the run began.
	loadAvg string
	// ref is the bare Echo window run just before this one, its ratio's reference
	// (nil: the run's first Echo window): others' load changes within minutes.
	ref *outcome
}

// perSecond is the rate of answers over the run, waiting for the last included.
func (o outcome) perSecond() float64 {
	if d := o.metrics.Duration + o.metrics.Wait; d > 0 {
		return float64(o.metrics.Requests) / d.Seconds()
	}
	return 0
}

// all200 reports whether every answer was 200 OK.
func (o outcome) all200() bool {
	return o.metrics.Requests > 0 && o.metrics.StatusCodes["200"] == int(o.metrics.Requests)
}

// attack runs l against the server p watches, printing progress every second.
func attack(l load, p proc) outcome {
	workers := uint64(l.conns)
	maxWorkers := workers
	pacer := vegeta.Rate{Freq: l.rate, Per: time.Second}
	if l.rate > 0 {
		maxWorkers = 4096 // a fixed rate must not wait for slow answers
	}
	a := vegeta.NewAttacker(vegeta.Workers(workers), vegeta.MaxWorkers(maxWorkers),
		vegeta.Connections(max(l.conns, 16)), vegeta.KeepAlive(true), vegeta.Timeout(2*time.Minute))
	p.resetPeak()
	loadAvg, _, _ := strings.Cut(loadAverage(), " ")
	cpu0, cpuOK := p.cpu()
	allocs0, allocsOK := readAllocs(p.metrics)
	var done atomic.Int64
	stop := progress(l, &done)
	var m vegeta.Metrics
	var bySecond []int
	begin := time.Now()
	for r := range a.Attack(l.targets, pacer, l.duration, l.name) {
		m.Add(r)
		done.Add(1)
		s := max(int(r.Timestamp.Sub(begin)/time.Second), 0)
		for len(bySecond) <= s {
			bySecond = append(bySecond, 0)
		}
		bySecond[s]++
	}
	m.Close()
	stop()
	o := outcome{load: l, metrics: m, bySecond: bySecond, loadAvg: loadAvg}
	if cpu1, ok := p.cpu(); ok && cpuOK {
		o.cpu = cpu1 - cpu0
	}
	o.peakRSS, _ = p.memory("VmHWM")
	if allocs1, ok := readAllocs(p.metrics); ok && allocsOK {
		o.allocs = allocs{objects: allocs1.objects - allocs0.objects, bytes: allocs1.bytes - allocs0.bytes,
			hashes: allocs1.hashes - allocs0.hashes}
	}
	fmt.Fprintf(os.Stderr, "  %-34s %8.0f req/s  p50 %-9s p99 %-9s codes %v\n", l.name, o.perSecond(),
		round(m.Latencies.P50), round(m.Latencies.P99), m.StatusCodes)
	for i, e := range m.Errors {
		if i == 3 {
			break
		}
		fmt.Fprintf(os.Stderr, "    error: %s\n", e)
	}
	return o
}

// progress prints, every second, how many answers have come; the func stops it.
func progress(l load, done *atomic.Int64) func() {
	begin := time.Now()
	return everySecond(func() {
		fmt.Fprintf(os.Stderr, "    %s: %2.0fs  %d answers\n", l.name, time.Since(begin).Seconds(), done.Load())
	})
}

// everySecond calls f once a second until the func it returns is called, which
// returns once f no longer runs.
func everySecond(f func()) (stop func()) {
	quit := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				f()
			}
		}
	}()
	return func() { close(quit); <-stopped }
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
