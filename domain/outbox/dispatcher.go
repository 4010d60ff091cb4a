package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/ports"
)

// storeTimeout bounds each call to the outbox. Outcomes are written with a context of
// their own that shutdown does not cancel, so this also bounds how long shutdown waits
// for them after Grace.
const storeTimeout = 5 * time.Second

// errShutdown cancels the sends still running Grace after shutdown began.
var errShutdown = errors.New("mail dispatcher shut down")

// Provider is the mail provider the Dispatcher delivers through. It is a type of its
// own, not ports.Mailer, so that Wire binds it to the provider the configuration
// chooses and nothing else.
type Provider interface{ ports.Mailer }

// Dispatcher delivers the messages of the outbox through the Provider: its workers
// claim due messages under a lease, send them, and store the outcome.
type Dispatcher struct {
	cfg      Config
	box      ports.Outbox
	provider Provider
	clock    ports.Clock
	log      *slog.Logger
	audit    *audit.Log
	owner    string        // names this dispatcher in the shared outbox; see claim
	claims   atomic.Uint64 // claims made so far, to name each lease
	wake     chan struct{} // one token per idle worker to wake; see Wake
	feed     feed          // batches of claimed messages for the workers, and the pause (feed.go)
	handed   chan delivery // sent, waiting for settleAll to record them; holds Workers (settler.go)
	handing  atomic.Int64  // workers recording their own delivery: handed was full
}

// NewDispatcher returns a dispatcher of the messages in box; Run starts it. It writes
// a delivery event to events for each attempt's outcome (a nil events: to log).
func NewDispatcher(cfg Config, box ports.Outbox, provider Provider, clock ports.Clock, log *slog.Logger,
	events *audit.Log) *Dispatcher {
	if events == nil {
		events = audit.New(log)
	}
	owner := cfg.Owner
	if owner == "" {
		owner = newOwner()
	}
	return &Dispatcher{cfg: cfg, box: box, provider: provider, clock: clock, log: log.With("component", "outbox"),
		audit: events, owner: owner, wake: make(chan struct{}, max(cfg.Workers, 1)),
		handed: make(chan delivery, max(cfg.Workers, 1))}
}

// newOwner names a dispatcher uniquely among all processes sharing the outbox, in a
// way an operator reading the outbox can trace back to a host and process.
func newOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s/%d/%08x", host, os.Getpid(), rand.Uint32())
}

// Run sends messages with Workers workers, and purges old ones, until ctx is done.
// A worker hands each delivery to a settler, which records what gathered in one
// MarkSentBatch while the worker goes on to its next message (settler.go). When ctx
// is done Run stops claiming, lets the sends in flight finish within Grace, cancels
// those still running and hands their messages back to the outbox, due at once. It
// returns when every worker has stopped and every delivery handed over is recorded:
// nil, or an error if the configuration is unusable.
func (d *Dispatcher) Run(ctx context.Context) error {
	if err := d.cfg.Validate(); err != nil {
		return fmt.Errorf("mail dispatcher: %w", err)
	}
	// Sends get a context of their own, cancelled only Grace after ctx: a send cut
	// off at once may well have reached the provider and would be sent again.
	sendCtx, cancelSends := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelSends(errShutdown)
	quit := make(chan struct{})
	var settler sync.WaitGroup
	settler.Go(func() { d.settleAll(ctx, quit) })
	var wg sync.WaitGroup
	for range d.cfg.Workers {
		wg.Go(func() { d.work(ctx, sendCtx) })
	}
	wg.Go(func() { d.purgeEvery(ctx) })
	d.log.Info("mail dispatcher started", "owner", d.owner, "workers", d.cfg.Workers)
	<-ctx.Done()
	d.log.Info("mail dispatcher stopping", "grace", d.cfg.Grace.String())
	stop := time.AfterFunc(d.cfg.Grace, func() { cancelSends(errShutdown) })
	defer stop.Stop()
	wg.Wait()
	close(quit) // a sent message left leased would be sent again: record every one
	settler.Wait()
	d.handBack(ctx)
	d.log.Info("mail dispatcher stopped")
	return nil
}

// Wake tells the dispatcher that a message was just stored, so that a free worker
// claims it at once rather than at its next poll. It never blocks, and does nothing
// on a nil Dispatcher (a process that stores mail but leaves sending to others).
func (d *Dispatcher) Wake() {
	if d == nil {
		return
	}
	select {
	case d.wake <- struct{}{}:
	default: // every worker already has a token: they will all look
	}
}

// DeliverDue claims one due message and delivers it, as a worker of Run does, and
// reports whether there was one: ErrNothingDue is false and no error. It lets a
// caller that drives time itself (a simulation, a test) step the dispatcher
// without Run's timers; the send is cut off at three quarters of the lease. It
// stores the outcome before it returns, a delivery with a MarkSentBatch of one.
func (d *Dispatcher) DeliverDue(ctx context.Context) (bool, error) {
	env, err := d.claim(ctx)
	switch {
	case errors.Is(err, ports.ErrNothingDue):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("claim a message from the outbox: %w", err)
	}
	if x, ok := d.deliver(ctx, ctx, env); ok {
		d.record(ctx, []delivery{x})
	}
	return true, nil
}

// PurgeOnce deletes the messages finished more than Retention ago, as Run does
// periodically; with Retention 0 it deletes nothing.
func (d *Dispatcher) PurgeOnce(ctx context.Context) {
	if d.cfg.Retention > 0 {
		d.purge(ctx)
	}
}

// work claims and delivers messages until ctx is done.
func (d *Dispatcher) work(ctx, sendCtx context.Context) {
	for ctx.Err() == nil {
		env, err := d.next(ctx)
		switch {
		case err == nil:
			if x, ok := d.deliver(ctx, sendCtx, env); ok {
				d.handOver(ctx, x)
			}
			d.done()
			continue // there may be more due: look again before waiting
		case errors.Is(err, ports.ErrNothingDue):
			d.idle(ctx)
		case ctx.Err() != nil:
			return
		default:
			// The store is down or failing. Wakes are ignored here: each would be
			// one more failing call, and a burst of them a busy loop.
			d.log.Error("claim a message from the outbox", "error", err, "retry_in", d.cfg.PollInterval.String())
			sleep(ctx, d.cfg.PollInterval)
		}
	}
}

// claim leases the next due message under an owner name of its own,
// "<dispatcher>/<claim number>", by which its outcome is then stored. A name per
// process would not do: a worker whose lease expired mid-send could then settle
// the message a sibling worker has claimed since, and have it sent twice.
func (d *Dispatcher) claim(ctx context.Context) (ports.Envelope, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	owner := leaseOwner(d.owner, d.claims.Add(1))
	return d.box.Claim(ctx, owner, d.clock.Now(), d.cfg.Lease)
}

// idle waits for a Wake, the next poll, or shutdown.
func (d *Dispatcher) idle(ctx context.Context) {
	t := time.NewTimer(d.cfg.PollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-d.wake:
	case <-t.C:
	}
}

func sleep(ctx context.Context, wait time.Duration) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
