package sim

import (
	"fmt"
	"sort"
	"time"
)

// tolerance is how far apart the instances' clocks are: the limits are judged by
// the callers' clocks, so in true time they hold within it.
func (w *world) tolerance() time.Duration {
	lo, hi := time.Duration(0), time.Duration(0)
	for _, s := range w.set.Skews {
		lo, hi = min(lo, s), max(hi, s)
	}
	return hi - lo
}

// checkI3: no limit is exceeded, in true time within the clocks' tolerance.
func (w *world) checkI3() []string {
	var v []string
	tol := w.tolerance()
	byUser := map[string][]time.Time{}
	var all []time.Time
	for _, r := range w.hist.links {
		m := w.linkOfTask(r.task)
		if r.userID == "" || m == nil || !w.wentOut(m.id) {
			continue
		}
		at := m.created
		for _, e := range w.hist.events {
			if e.task == r.task && e.key == userKeyOf(r.userID) {
				at = e.at // the limiter judges by the time its caller stamped
			}
		}
		byUser[r.userID] = append(byUser[r.userID], at)
		all = append(all, at)
	}
	for u, times := range byUser {
		if w.set.Cooldown > 0 {
			v = append(v, within(times, w.set.Cooldown-tol, 1, "I3: user "+u+" got more links than the cooldown allows")...)
		}
		if w.set.DailyCap > 0 {
			v = append(v, within(times, 24*time.Hour-tol, w.set.DailyCap, "I3: user "+u+" got more links than the daily cap")...)
		}
	}
	if w.set.PerHour > 0 {
		v = append(v, within(all, time.Hour-tol, w.set.PerHour, "I3: more links went out than the hourly cap")...)
	}
	if w.set.PerIP > 0 {
		byIP := map[string][]time.Time{}
		for _, h := range w.hist.ipHits {
			byIP[h.ip] = append(byIP[h.ip], h.at)
		}
		for ip, times := range byIP {
			v = append(v, within(times, ipWindow-tol, w.set.PerIP, "I3: address "+ip+" got past its rate")...)
		}
	}
	return v
}

// within returns a violation if more than most of times fall in any window.
func within(times []time.Time, window time.Duration, most int, what string) []string {
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j].Sub(times[i]) < window; j++ {
			n++
		}
		if n > most {
			return []string{fmt.Sprintf("%s: %d within %s from %s", what, n, window, times[i].Format(time.TimeOnly))}
		}
	}
	return nil
}
