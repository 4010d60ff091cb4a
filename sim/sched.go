package sim

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
)

// errHangUp is the cause of a client's context cancelled by the schedule.
var errHangUp = errors.New("sim: the client hung up")

// errCrash is the cause of a task's context when its instance crashed.
var errCrash = errors.New("sim: the instance crashed")

// sched runs tasks one at a time. A task runs until it parks at a gate (a port
// call) or ends; the scheduler then chooses which parked task goes on, so the
// interleaving is the schedule's, not the Go runtime's.
type sched struct {
	events chan *task // a running task reports here when it parks or ends
	parked []*task    // in the order they parked
	nextID int
}

func newSched() *sched { return &sched{events: make(chan *task)} }

// task is one goroutine of the simulation: a request, a dispatch pass, an
// operator's command, or a write the store applies late.
type task struct {
	s      *sched
	id     int
	inst   int // the instance it runs in; -1 for the store's own (a late write)
	name   string
	resume chan Fault
	stop   context.CancelCauseFunc // cancels ctx: a hang-up, a crash
	ctx    context.Context
	call   string // the gate it is parked at
	fault  Fault  // what the schedule did to its latest call
	done   bool
	// claimed is the envelope a dispatch pass holds, for the provider to tell
	// which outbox message it delivers.
	claimed string
}

// spawn starts fn as a task and runs it to its first gate or its end.
func (s *sched) spawn(inst int, name string, fn func(t *task)) *task {
	s.nextID++
	ctx, stop := context.WithCancelCause(context.Background())
	t := &task{s: s, id: s.nextID, inst: inst, name: name, resume: make(chan Fault), stop: stop, ctx: ctx}
	go func() {
		defer func() {
			t.done = true
			s.events <- t
		}()
		fn(t)
	}()
	s.await(t)
	return t
}

// await waits until t, which was just let run, parks or ends.
func (s *sched) await(t *task) {
	got := <-s.events
	if got != t {
		panic(fmt.Sprintf("sim: task %d reported while task %d ran: two goroutines ran at once", got.id, t.id))
	}
	if !t.done {
		s.parked = append(s.parked, t)
	}
}

// grant lets the parked task i go on, its call suffering f.
func (s *sched) grant(i int, f Fault) *task {
	t := s.parked[i]
	s.parked = slices.Delete(s.parked, i, i+1)
	t.resume <- f
	s.await(t)
	return t
}

// crash stops every parked task of instance inst at its current call, which does
// not apply; the instance comes back with nothing in memory (its tasks are gone).
func (s *sched) crash(inst int) {
	for {
		i := slices.IndexFunc(s.parked, func(t *task) bool { return t.inst == inst })
		if i < 0 {
			return
		}
		s.grant(i, Fault{Kind: Crash})
	}
}

// gate parks the calling task before its call and returns what the schedule lets
// happen to the call.
func (t *task) gate(call string) Fault {
	t.call = call
	t.s.events <- t
	return <-t.resume
}

// die ends the task's goroutine where it stands, as a crash would; its context is
// cancelled first, so that a dispatcher waiting on it returns.
func (t *task) die() {
	t.stop(errCrash)
	runtime.Goexit()
}

// hungUp reports whether ctx is the client's and the client has hung up.
func hungUp(ctx context.Context) bool { return errors.Is(context.Cause(ctx), errHangUp) }
