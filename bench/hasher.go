package main

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/hashpool"
)

// hashRate is the raw hasher with pwreset's default argon2id parameters, on as many
// goroutines as pwreset's hash pool runs at once: the ceiling of resets/s.
type hashRate struct {
	workers int
	hashes  int64
	elapsed time.Duration
	cpu     time.Duration
}

func (h hashRate) perSecond() float64 { return float64(h.hashes) / h.elapsed.Seconds() }

// with adds another measurement of the same hasher.
func (h hashRate) with(o hashRate) hashRate {
	h.hashes += o.hashes
	h.elapsed += o.elapsed
	h.cpu += o.cpu
	return h
}

// measureHasher hashes for d on hashpool.DefaultSize() goroutines.
func measureHasher(d time.Duration) hashRate {
	h := argon2.NewHasher(argon2.DefaultParams())
	workers := hashpool.DefaultSize()
	fmt.Fprintf(os.Stderr, "raw argon2id %+v on %d goroutines for %s\n", argon2.DefaultParams(), workers, d)
	var n atomic.Int64
	cpu0 := selfCPU()
	begin := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Since(begin) < d {
				if _, err := h.Hash(newPassword); err == nil {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	r := hashRate{workers: workers, hashes: n.Load(), elapsed: time.Since(begin), cpu: selfCPU() - cpu0}
	fmt.Fprintf(os.Stderr, "  %-34s %8.1f hashes/s\n", "raw argon2id", r.perSecond())
	return r
}

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
