package outbox

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// pause is the provider's request to wait (a 429 or 421 with Retry-After), shared
// by every worker of the process: one worker told to wait stops them all from
// claiming, since the provider refuses the account, not the worker.
type pause struct {
	mu      sync.Mutex
	until   time.Time // by the dispatcher's clock; zero: no pause
	waiting int       // workers waiting for it to end, for tests
}

// after records a refusal that asked for a wait, if err is one, from now on.
func (p *pause) after(err error, now time.Time) bool {
	var sendErr *ports.SendError
	if !errors.As(err, &sendErr) || sendErr.RetryAfter <= 0 || sendErr.Permanent {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if end := now.Add(sendErr.RetryAfter); end.After(p.until) {
		p.until = end
	}
	return true
}

// wait returns once no pause holds at the clock's now, or with ctx's error.
func (p *pause) wait(ctx context.Context, clock ports.Clock) error {
	p.mu.Lock()
	left := p.until.Sub(clock.Now())
	if left <= 0 {
		p.mu.Unlock()
		return nil
	}
	p.waiting++
	p.mu.Unlock()
	defer func() { p.mu.Lock(); p.waiting--; p.mu.Unlock() }()
	for left > 0 {
		sleep(ctx, left)
		if err := ctx.Err(); err != nil {
			return err
		}
		p.mu.Lock()
		left = p.until.Sub(clock.Now()) // another refusal may have lengthened it
		p.mu.Unlock()
	}
	return nil
}

// waiters returns how many workers wait for the pause to end.
func (p *pause) waiters() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waiting
}

// pauseAfter pauses every worker of the dispatcher for the wait a refusal of env
// asked for, if it asked for one and came from the mail provider. An events
// endpoint's request to wait holds back that message only (its retry waits at
// least as long): the team's endpoint being slow must not hold up reset links.
// A mail pause does hold up events, since workers then claim nothing.
func (d *Dispatcher) pauseAfter(log msgLog, env ports.Envelope, err error) {
	if event.IsKind(env.Message.Kind) {
		return
	}
	if d.feed.pause.after(err, d.clock.Now()) {
		log.write(context.Background(), slog.LevelWarn, "the mail provider asked to wait; every worker of this process pauses",
			slog.Any("error", err))
	}
}
