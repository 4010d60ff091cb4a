package hashpool

import (
	"context"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Option changes how a Pool admits requests.
type Option func(*Pool)

// MaxWait bounds how long Admit waits for a place (HASH_QUEUE_TIMEOUT); 0, the
// default, is no bound but the caller's context.
func MaxWait(d time.Duration) Option { return func(p *Pool) { p.maxWait = d } }

// Admit waits, in turn, until fewer than Size requests are admitted, and admits the
// caller, which calls release when it no longer hashes. Admitted requests hold the
// places of the hashes they compute, so a request that hashes once, admitted, never
// waits in Hash for a slot.
//
// The wait is where a burst of resets queues: unlike Hash, which takes no context,
// Admit gives up the caller's place as soon as ctx is done (its client hung up) and
// returns ctx's error, so the request never starts its hash; after MaxWait it
// returns ports.ErrHasherBusy.
func (p *Pool) Admit(ctx context.Context) (release func(), err error) {
	select {
	case p.admitted <- struct{}{}:
	default:
		if err := p.wait(ctx); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil { // a place and the end of ctx came together
		p.leave()
		return nil, fmt.Errorf("wait for a hashing slot: %w", err)
	}
	return p.leave, nil
}

// wait queues for a place until one is free, ctx is done or MaxWait has passed.
func (p *Pool) wait(ctx context.Context) error {
	p.waiting.Add(1)
	defer p.waiting.Add(-1)
	var timeout <-chan time.Time
	if p.maxWait > 0 {
		t := time.NewTimer(p.maxWait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case p.admitted <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for a hashing slot: %w", ctx.Err())
	case <-timeout:
		return fmt.Errorf("%w (waited %s with all %d taken)", ports.ErrHasherBusy, p.maxWait, p.Size())
	}
}

func (p *Pool) leave() { <-p.admitted }

// Waiting returns how many requests wait in Admit: the length of the hash queue.
func (p *Pool) Waiting() int { return int(p.waiting.Load()) }
