package sim

import (
	"context"
	"fmt"

	"github.com/pwreset/pwreset/ports"
)

// FaultKind is what happens to one port call.
type FaultKind int

// The faults a call can suffer.
const (
	None FaultKind = iota
	// Fail: the call fails before it applies (the store was unreachable).
	Fail
	// Lost: the call applies, but its answer is lost (a reset connection).
	Lost
	// Late: the call is delayed past the caller's timeout; the caller sees a
	// deadline, and the store applies the write later, when the schedule says.
	Late
	// HangUp: the client hangs up just as the call is made; a call on the
	// client's context then fails, having applied or not (Apply).
	HangUp
	// Crash: the instance dies at this call, which applied or not (Apply); every
	// other task of the instance stops at its current call.
	Crash
	// Refuse: the store refuses the write outright (validation, privileges).
	Refuse
	numFaults
)

var faultNames = [...]string{"none", "fail", "lost-reply", "late", "hang-up", "crash", "refuse"}

// String names the fault as schedules print it.
func (k FaultKind) String() string { return faultNames[k] }

// Fault is what the schedule does to the call it lets go on.
type Fault struct {
	Kind  FaultKind
	Apply bool // for HangUp and Crash: whether the call reached the store first
}

// String names the fault, and whether the call applied.
func (f Fault) String() string {
	s := f.Kind.String()
	if (f.Kind == HangUp || f.Kind == Crash) && f.Apply {
		s += "(applied)"
	}
	return s
}

// unavailable is the error of a call that failed in the store or the network.
func unavailable(call string) error {
	return fmt.Errorf("sim: %s failed: %w", call, ports.ErrUnavailable)
}

// deadline is the error of a call that took longer than the caller's timeout.
func deadline(call string) error {
	return fmt.Errorf("sim: %s: %w: %w", call, ports.ErrUnavailable, context.DeadlineExceeded)
}

// cancelled is the error of a call whose client hung up.
func cancelled(call string) error {
	return fmt.Errorf("sim: %s: %w: %w", call, ports.ErrUnavailable, context.Canceled)
}
