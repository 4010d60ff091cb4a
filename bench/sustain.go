package main

import (
	"fmt"
	"os"
	"time"
)

// rssSeries is the server's RSS, and its CPU time so far, sampled every second
// during a sustained run.
type rssSeries struct {
	run     outcome
	warmUp  time.Duration
	samples []int64         // bytes, one a second
	cpu     []time.Duration // the server's CPU time at each sample
}

// trend returns the mean RSS of the first and of the last ten samples after the
// warm-up. Single samples swing by several per cent with each collector cycle (the
// heap grows to twice the live heap, then pages are returned): a trend is what
// tells memory that grows with the load's history.
func (s rssSeries) trend() (first, last float64) {
	from := int(s.warmUp / time.Second)
	if len(s.samples) < from+20 {
		return 0, 0
	}
	mean := func(xs []int64) float64 {
		var n int64
		for _, x := range xs {
			n += x
		}
		return float64(n) / float64(len(xs))
	}
	return mean(s.samples[from : from+10]), mean(s.samples[len(s.samples)-10:])
}

// after returns the smallest and largest sample after the warm-up.
func (s rssSeries) after() (lo, hi int64) {
	skip := int(s.warmUp / time.Second)
	for _, v := range s.samples[min(skip, len(s.samples)):] {
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo, hi
}

// rates returns the answers/s of the first and the last ten seconds after the
// warm-up, to show whether the service slows down as its history grows.
func (s rssSeries) rates() (first, last float64) {
	from := int(s.warmUp / time.Second)
	b := s.run.bySecond
	if len(b) < from+20 {
		return 0, 0
	}
	sum := func(xs []int) float64 {
		n := 0
		for _, x := range xs {
			n += x
		}
		return float64(n) / float64(len(xs))
	}
	// The last second is cut short by the end of the run.
	return sum(b[from : from+10]), sum(b[len(b)-11 : len(b)-1])
}

// cpuPerAnswer returns the server's CPU time per answer over the first and the
// last ten seconds after the warm-up: the work a request costs, which others'
// load on the machine does not change, unlike the rate.
func (s rssSeries) cpuPerAnswer() (first, last time.Duration) {
	from := int(s.warmUp / time.Second)
	n := min(len(s.cpu), len(s.run.bySecond))
	if n < from+21 {
		return 0, 0
	}
	// Sample i is taken at the end of second i of the run.
	over := func(a, b int) time.Duration {
		answers := 0
		for _, x := range s.run.bySecond[a+1 : b+1] {
			answers += x
		}
		return perAnswerOf(s.cpu[b]-s.cpu[a], uint64(answers))
	}
	return over(from, from+10), over(n-12, n-2)
}

// sustain drives send-link for a warm-up (a quarter of o.sustain, at least 15 s:
// the heap grows to its working size, the limiter's and outbox's bounds are
// reached) and then for o.sustain, sampling the RSS every second.
func sustain(o options, srv *child) *rssSeries {
	if srv.proc.pid == 0 {
		fmt.Fprintln(os.Stderr, "sustained run skipped: RSS is read from a child this command started")
		return nil
	}
	s := &rssSeries{warmUp: max(o.sustain/4, 15*time.Second)}
	stop := everySecond(func() {
		v, ok := srv.proc.memory("VmRSS")
		c, cok := srv.proc.cpu()
		if ok && cok {
			s.samples = append(s.samples, v)
			s.cpu = append(s.cpu, c)
		}
	})
	send := srv.url + o.apiPrefix + "send-reset-password-link/"
	s.run = attack(load{name: fmt.Sprintf("send-link, existing user, %s after %s", o.sustain, s.warmUp),
		targets: sendLink(send, o.knownLogin), conns: o.conns, duration: s.warmUp + o.sustain, base: "echo"}, srv.proc)
	stop()
	return s
}
