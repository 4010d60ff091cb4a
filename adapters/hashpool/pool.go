// Package hashpool bounds how many password hashes are computed at once. Argon2id
// with OWASP's parameters takes about 19 MiB and 50 ms per hash, so a burst of
// resets hashed all at once could exhaust memory; the pool makes the burst queue
// instead. Peak memory is about size × the hasher's memory cost.
package hashpool

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// DefaultSize is the pool size New uses when given none: GOMAXPROCS, the number of
// hashes the Go runtime can compute in parallel anyway. Hashing is CPU-bound, so
// more at once only adds memory, not throughput.
//
// GOMAXPROCS rather than runtime.NumCPU: since Go 1.25 it follows the container's
// CPU limit, whereas NumCPU counts the host's cores (a container limited to 2 CPUs
// on a 64-core host would otherwise admit 64 hashes, over a GiB with Argon2id).
func DefaultSize() int { return runtime.GOMAXPROCS(0) }

// Pool is a ports.PasswordHasher that runs at most a fixed number of Hash and Verify
// calls of another hasher at once; further callers wait their turn. It is safe for
// concurrent use.
//
// The wait in Hash has no bound of its own: ports.PasswordHasher takes no context,
// so a caller cannot give up while it waits there. Requests that can give up (a
// reset whose client may hang up) queue in Admit first (queue.go), which admits no
// more of them than there are slots.
type Pool struct {
	hasher ports.PasswordHasher
	// slots is a semaphore: a call holds a slot, an element of the buffer, while the
	// hasher works.
	slots chan struct{}
	// admitted is the semaphore of Admit, of the same size.
	admitted chan struct{}
	waiting  atomic.Int64
	maxWait  time.Duration
}

// New returns a Pool that runs at most size calls of h at once; DefaultSize() if
// size is below 1. Argon2id's lanes are goroutines of their own, so with Parallelism
// p up to size × p of them run at once.
func New(h ports.PasswordHasher, size int, opts ...Option) *Pool {
	if size < 1 {
		size = DefaultSize()
	}
	p := &Pool{hasher: h, slots: make(chan struct{}, size), admitted: make(chan struct{}, size)}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Size returns how many calls may run at once.
func (p *Pool) Size() int { return cap(p.slots) }

// Hash implements ports.PasswordHasher: it waits for a slot, then returns what the
// wrapped hasher returns, errors included.
func (p *Pool) Hash(password string) (string, error) {
	p.acquire()
	defer p.release() // deferred, so that a panicking hasher does not leak a slot
	return p.hasher.Hash(password)
}

// Verify implements ports.PasswordHasher; it shares the slots with Hash, as a
// verification costs as much as a hash.
func (p *Pool) Verify(hash, password string) (bool, error) {
	p.acquire()
	defer p.release()
	return p.hasher.Verify(hash, password)
}

func (p *Pool) acquire() { p.slots <- struct{}{} }
func (p *Pool) release() { <-p.slots }
