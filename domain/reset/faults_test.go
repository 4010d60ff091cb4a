package reset_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// storeFaults breaks the store of a faultyBox at chosen steps: an insert of a message that may go out (Add, AddLimited) can lose its
// reply after it applied (and hang the client up), or start an outage before it
// applies, in which every later call fails until restore.
type storeFaults struct {
	mu       sync.Mutex
	lostNext int                // inserts to apply, then answer with an error
	hangUp   context.CancelFunc // called when a lost reply comes: the client goes
	outNext  bool               // the next insert fails unapplied, and the store goes down
	down     bool
}

var errStoreDown = fmt.Errorf("the store is down: %w", ports.ErrUnavailable)

// call reports the error a call meets now.
func (f *storeFaults) call() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errStoreDown
	}
	return nil
}

// insert runs an insert under the faults.
func (f *storeFaults) insert(ctx context.Context, do func() error) error {
	f.mu.Lock()
	if f.down || f.outNext {
		f.down, f.outNext = true, false
		f.mu.Unlock()
		return errStoreDown
	}
	lost := f.lostNext > 0
	if lost {
		f.lostNext--
	}
	hangUp := f.hangUp
	f.mu.Unlock()
	if err := do(); err != nil || !lost {
		return err
	}
	if hangUp != nil {
		hangUp()
		return fmt.Errorf("insert: %w", context.Cause(ctx))
	}
	return fmt.Errorf("insert: the reply was lost: %w", ports.ErrUnavailable)
}

func (f *storeFaults) restore() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down, f.outNext, f.lostNext = false, false, 0
}

// faultyBox is an outbox under storeFaults.
type faultyBox struct {
	ports.Outbox
	f *storeFaults
}

func (b faultyBox) Add(ctx context.Context, msg ports.Message, now time.Time) (id string, err error) {
	err = b.f.insert(ctx, func() (err error) { id, err = b.Outbox.Add(ctx, msg, now); return err })
	return id, err
}

func (b faultyBox) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (id string, refused int, err error) {
	err = b.f.insert(ctx, func() (err error) { id, refused, err = b.Outbox.AddLimited(ctx, m, now); return err })
	return id, refused, err
}

func (b faultyBox) Discard(ctx context.Context, msg ports.Message, reason string, now time.Time) (string, error) {
	if err := b.f.call(); err != nil {
		return "", err
	}
	return b.Outbox.Discard(ctx, msg, reason, now)
}

func (b faultyBox) LatestEvent(ctx context.Context, key string) (time.Time, error) {
	if err := b.f.call(); err != nil {
		return time.Time{}, err
	}
	return b.Outbox.LatestEvent(ctx, key)
}

// faultyWorld is a link sender on one memory store under faults, with a clock
// the test moves.
type faultyWorld struct {
	f      *storeFaults
	store  memory.Store
	clock  *portstest.Clock
	sender *reset.LinkSender
}

func newFaultyWorld(cfg reset.Config, users ...ports.User) *faultyWorld {
	w := &faultyWorld{f: &storeFaults{}, clock: portstest.NewClock(now)}
	w.store = memory.NewStore(w.clock, memory.OutboxBounds{})
	box := faultyBox{Outbox: w.store.Outbox, f: w.f}
	w.sender = reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg,
		Users: memory.NewUserStore([]string{"username"}, users...), Outbox: outbox.NewQueue(box, nil),
		Signer: link.NewSigner(key, cfg.OneTimeUse), Clock: w.clock, Emails: reset.DefaultEmails(),
		Audit: audit.New(nil)})
	return w
}

// pending counts the messages waiting to go out.
func (w *faultyWorld) pending() int {
	st, err := w.store.Outbox.Stats(context.Background())
	if err != nil {
		panic(err)
	}
	return st.Counts[ports.StatePending]
}
