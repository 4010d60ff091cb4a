package hashpool_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/hashpool"
	"github.com/pwreset/pwreset/ports"
)

var _ ports.PasswordHasher = (*hashpool.Pool)(nil)

// gated is a hasher whose calls block until the gate opens, counting how many run
// at once.
type gated struct {
	gate         chan struct{}
	running, max atomic.Int32
	calls        atomic.Int32
}

func (g *gated) enter() {
	g.calls.Add(1)
	n := g.running.Add(1)
	for m := g.max.Load(); n > m && !g.max.CompareAndSwap(m, n); m = g.max.Load() {
	}
	<-g.gate
	g.running.Add(-1)
}

func (g *gated) Hash(string) (string, error) { g.enter(); return "hash", nil }

func (g *gated) Verify(string, string) (bool, error) { g.enter(); return true, nil }

func TestBound(t *testing.T) {
	const size, callers = 3, 20
	g := &gated{gate: make(chan struct{})}
	p := hashpool.New(g, size)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			// Hash and Verify share the slots.
			if i%2 == 0 {
				_, _ = p.Hash("pw")
			} else {
				_, _ = p.Verify("hash", "pw")
			}
		})
	}
	// Wait until the pool is full, then give the other callers time to push past it
	// if they could.
	deadline := time.Now().Add(20 * time.Second)
	for g.running.Load() < size {
		if time.Now().After(deadline) {
			t.Fatalf("only %d calls running after 20s, want %d", g.running.Load(), size)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := g.running.Load(); n != size {
		t.Errorf("%d calls running while the gate is shut, want %d", n, size)
	}
	close(g.gate)
	wg.Wait()
	if m := g.max.Load(); m != size {
		t.Errorf("at most %d calls ran at once, want %d", m, size)
	}
	if n := g.calls.Load(); n != callers {
		t.Errorf("%d calls reached the hasher, want %d", n, callers)
	}
}

// fixed is a hasher that answers what it is told.
type fixed struct {
	hash string
	ok   bool
	err  error
}

func (f fixed) Hash(string) (string, error)         { return f.hash, f.err }
func (f fixed) Verify(string, string) (bool, error) { return f.ok, f.err }

func TestPassesThrough(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		hasher  fixed
		wantErr error
	}{
		{"results", fixed{hash: "$argon2id$x", ok: true}, nil},
		{"mismatch", fixed{hash: "$2a$04$y", ok: false}, nil},
		{"error", fixed{err: boom}, boom},
		{"too long", fixed{err: ports.ErrPasswordTooLong}, ports.ErrPasswordTooLong},
		{"wrapped too long", fixed{err: fmt.Errorf("bcrypt: %w", ports.ErrPasswordTooLong)}, ports.ErrPasswordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := hashpool.New(tt.hasher, 2)
			hash, err := p.Hash("pw")
			if hash != tt.hasher.hash || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Hash = %q, %v; want %q, %v", hash, err, tt.hasher.hash, tt.wantErr)
			}
			ok, err := p.Verify("h", "pw")
			if ok != tt.hasher.ok || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Verify = %v, %v; want %v, %v", ok, err, tt.hasher.ok, tt.wantErr)
			}
		})
	}
}

func TestSize(t *testing.T) {
	if hashpool.DefaultSize() < 1 {
		t.Fatalf("DefaultSize() = %d", hashpool.DefaultSize())
	}
	for _, tt := range []struct{ size, want int }{
		{5, 5}, {1, 1}, {0, hashpool.DefaultSize()}, {-2, hashpool.DefaultSize()},
	} {
		if got := hashpool.New(fixed{}, tt.size).Size(); got != tt.want {
			t.Errorf("New(h, %d).Size() = %d, want %d", tt.size, got, tt.want)
		}
	}
}

// panicky panics on its first call only.
type panicky struct{ calls atomic.Int32 }

func (p *panicky) Hash(string) (string, error) {
	if p.calls.Add(1) == 1 {
		panic("hasher failed")
	}
	return "hash", nil
}

func (p *panicky) Verify(string, string) (bool, error) { return true, nil }

func TestPanicReleasesSlot(t *testing.T) {
	p := hashpool.New(&panicky{}, 1)
	func() {
		defer func() { _ = recover() }()
		_, _ = p.Hash("pw")
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = p.Hash("pw")
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second): // a slot held for good would never come free
		t.Fatal("the only slot is still held 20s after a panic")
	}
}

// spin is a hasher that does a little work, so the benchmark measures the pool's
// overhead under contention rather than an empty call.
type spin struct{}

func (spin) Hash(pw string) (string, error) {
	h := uint32(2166136261)
	for range 1000 {
		for i := range len(pw) {
			h = (h ^ uint32(pw[i])) * 16777619
		}
	}
	return fmt.Sprint(h), nil
}

func (s spin) Verify(hash, pw string) (bool, error) { h, _ := s.Hash(pw); return h == hash, nil }

// BenchmarkPool compares the hasher alone with pools of one slot and of the
// default size.
func BenchmarkPool(b *testing.B) {
	hashers := map[string]ports.PasswordHasher{
		"unpooled": spin{},
		"size=1":   hashpool.New(spin{}, 1),
		"default":  hashpool.New(spin{}, 0),
	}
	for _, name := range []string{"unpooled", "size=1", "default"} {
		p := hashers[name]
		b.Run(name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := p.Hash("correct horse battery staple"); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}
