package sim

import (
	"slices"
	"time"
)

// invariant names the kind of a run's first violation: the invariant it breaks,
// and how.
func invariant(r Result) string {
	if !r.Failed() {
		return ""
	}
	return kindOf(r.Violations[0])
}

// Shrink returns a smaller schedule than s that still breaks the invariant s
// breaks, the same way, trying at most budget runs: it drops runs of steps, halving their
// length, then faults one by one, then the clocks' skews.
func Shrink(s Schedule, b Backend, budget int) Schedule {
	first, err := Run(s, b)
	want := invariant(first)
	if err != nil || want == "" {
		return s
	}
	fails := func(c Schedule) bool {
		if budget <= 0 {
			return false
		}
		budget--
		r, err := Run(c, b)
		return err == nil && invariant(r) == want
	}
	for n := len(s.Steps) / 2; n >= 1; n /= 2 {
		for i := 0; i+n <= len(s.Steps); {
			c := s
			c.Steps = slices.Delete(slices.Clone(s.Steps), i, i+n)
			if fails(c) {
				s = c
			} else {
				i += n
			}
		}
	}
	for i, st := range s.Steps {
		if st.Fault.Kind != None {
			c := s
			c.Steps = slices.Clone(s.Steps)
			c.Steps[i].Fault = Fault{}
			if fails(c) {
				s = c
			}
		}
	}
	if slices.ContainsFunc(s.Settings.Skews, func(d time.Duration) bool { return d != 0 }) {
		c := s
		c.Settings.Skews = make([]time.Duration, len(s.Settings.Skews))
		if fails(c) {
			s = c
		}
	}
	return s
}
