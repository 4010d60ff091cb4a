package main

import (
	"fmt"
	"os"
	"time"
)

// rssSeries is the server's RSS sampled every second during a sustained run.
type rssSeries struct {
	run     outcome
	warmUp  time.Duration
	samples []int64 // bytes, one a second
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

// sustain drives send-link for o.sustain, sampling the RSS; the first sixth (at
// least 10 s) is the warm-up, when the heap grows to its working size.
func sustain(o options, srv *child) *rssSeries {
	if srv.proc.pid == 0 {
		fmt.Fprintln(os.Stderr, "sustained run skipped: RSS is read from a child this command started")
		return nil
	}
	s := &rssSeries{warmUp: max(o.sustain/6, 10*time.Second)}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				if v, ok := srv.proc.memory("VmRSS"); ok {
					s.samples = append(s.samples, v)
				}
			}
		}
	}()
	send := srv.url + o.apiPrefix + "send-reset-password-link/"
	s.run = attack(load{name: fmt.Sprintf("send-link, existing user, %s", o.sustain), targets: sendLink(send, o.knownLogin),
		conns: o.conns, duration: o.sustain, base: "echo"}, srv.proc)
	close(quit)
	<-done
	return s
}
