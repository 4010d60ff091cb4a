// Package sim is a deterministic fault simulator of pwreset, in the way of
// FoundationDB's and TigerBeetle's: it drives the real use cases of several
// service instances (link requests, resets, the outbox dispatcher, the operator's
// commands, purges) against shared stores, on a schedule drawn from a seed, and
// injects faults at every port call. Only one goroutine runs at a time: each port
// call parks its caller at a gate, and the schedule chooses which parked call goes
// on next and what happens to it. Time is a virtual clock that only the schedule
// moves, with a skew per instance. So one seed replays exactly on the memory stores.
//
// After the schedule, faults stop, every parked call completes, time moves on and
// the outbox drains; then the invariants (I1-I6, see docs/simulator.md) are checked
// against the history the port wrappers recorded.
package sim
