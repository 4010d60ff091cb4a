package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pwreset/pwreset/domain/reset"
)

// maxGrants bounds the calls the end of a run lets through: more means that
// something loops for ever.
const maxGrants = 100000

// Result is what one run found.
type Result struct {
	Violations []string
	Windows    map[string]int // named windows the run went through, with how often
	Crashes    int
	Calls      int    // port calls the schedule let through
	Changes    int    // passwords changed during the schedule (before the end)
	Sends      int    // messages the provider took during the schedule
	Digest     string // of the history: equal for two runs of one schedule
}

// Failed reports whether the run broke an invariant.
func (r Result) Failed() bool { return len(r.Violations) > 0 }

// Run plays the schedule s against stores b makes, then stops the faults, lets
// everything finish, and checks the invariants.
func Run(s Schedule, b Backend) (Result, error) { return RunTraced(s, b, nil) }

// RunTraced is Run, writing every step and call to trace.
func RunTraced(s Schedule, b Backend, trace func(format string, args ...any)) (Result, error) {
	clock := &vclock{now: epoch}
	stores, users, cleanup, err := b(clock, seedUsers(s.Settings.Users))
	if err != nil {
		return Result{}, err
	}
	if cleanup != nil {
		defer cleanup()
	}
	w := newWorld(s.Seed, s.Settings, clock, stores, users)
	w.trace = trace
	calls := 0
	for _, st := range s.Steps {
		w.tracef("step %s", st)
		calls += w.step(st)
		w.afterStep()
	}
	changes, sends := len(w.hist.changes), len(w.hist.sends)
	v := w.finish()
	if v == "" {
		v = w.recover()
	}
	res := Result{Windows: w.hist.windows, Crashes: w.hist.crashes, Calls: calls, Changes: changes, Sends: sends}
	if v != "" {
		res.Violations = append(res.Violations, v)
	}
	res.Violations = append(res.Violations, w.check()...)
	res.Digest = w.digest()
	return res, nil
}

// step plays one step and returns how many calls it let through.
func (w *world) step(st Step) int {
	switch st.Op {
	case OpGrant:
		i := w.pick(st)
		if i < 0 {
			return 0
		}
		if st.Fault.Kind == Crash {
			w.hist.crashes++
		}
		w.grant(i, st.Fault)
		return 1
	case OpSettle:
		for len(w.sched.parked) > 0 {
			w.grant(0, Fault{})
			w.afterStep()
		}
	case OpLink:
		w.linkRequest(st.Inst, st.User, st.N)
	case OpReset:
		w.resetRequest(st.Inst, st.User, st.N)
	case OpDispatch:
		w.dispatch(st.Inst, st.N)
	case OpRetry, OpSendLink, OpIssueLink:
		w.operator(st.Op, st.Inst, st.User)
	case OpPurge:
		w.purge(st.Inst)
	case OpAdvance:
		w.clock.advance(st.Wait)
	case OpCrash:
		w.hist.crashes++
		w.sched.crash(st.Inst)
	case OpMail:
		w.mail = st.Mode
	}
	return 0
}

// pick returns the parked task st lets go on, or -1 if none.
func (w *world) pick(st Step) int {
	if st.Call == "" {
		if len(w.sched.parked) == 0 {
			return -1
		}
		return st.N % len(w.sched.parked)
	}
	return slices.IndexFunc(w.sched.parked, func(t *task) bool { return t.call == st.Call })
}

// grant lets parked call i go on: every call takes a microsecond, so that no two
// calls read the same time.
func (w *world) grant(i int, f Fault) {
	w.clock.advance(time.Microsecond)
	w.sched.grant(i, f)
}

// digest sums up the history, to compare two runs of one schedule.
func (w *world) digest() string {
	var b strings.Builder
	for _, s := range w.hist.sends {
		fmt.Fprintf(&b, "send %s %s %s %s %s\n", s.id, s.kind, s.userID, s.at, s.window)
	}
	for _, c := range w.hist.changes {
		fmt.Fprintf(&b, "change %d %s %s\n", c.task, c.userID, c.at)
	}
	for _, l := range w.hist.links {
		fmt.Fprintf(&b, "link %d %v %v\n", l.task, l.err == nil, l.refused)
	}
	for _, r := range w.hist.resets {
		fmt.Fprintf(&b, "reset %d %s\n", r.task, classify(r.err))
	}
	keys := make([]string, 0, len(w.hist.windows))
	for k := range w.hist.windows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "window %s %d\n", k, w.hist.windows[k])
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// classify names an answer the way a client would see it.
func classify(err error) string {
	var pe *reset.PasswordError
	switch {
	case err == nil:
		return "200"
	case errors.Is(err, reset.ErrInvalidSignature):
		return "invalid"
	case errors.Is(err, reset.ErrSignatureExpired):
		return "expired"
	case errors.As(err, &pe):
		return "400"
	}
	return "503"
}
