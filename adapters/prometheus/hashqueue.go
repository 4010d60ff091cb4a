package prometheus

import (
	"sync/atomic"

	prom "github.com/prometheus/client_golang/prometheus"
)

// hashQueue is the gauge of the requests that wait for a password hashing slot,
// read at each scrape from what WatchHashQueue was given.
type hashQueue struct {
	length atomic.Pointer[func() int]
	gauge  prom.GaugeFunc
}

func newHashQueue() *hashQueue {
	q := &hashQueue{}
	q.gauge = prom.NewGaugeFunc(prom.GaugeOpts{Name: "pwreset_hash_queue_length",
		Help: "Reset requests waiting for a password hashing slot (HASH_CONCURRENCY)."}, q.read)
	return q
}

func (q *hashQueue) read() float64 {
	if f := q.length.Load(); f != nil {
		return float64((*f)())
	}
	return 0 // nothing watched yet: nobody waits
}

// WatchHashQueue has pwreset_hash_queue_length read length at each scrape: the
// number of requests waiting in the hash pool's queue.
func (m *Metrics) WatchHashQueue(length func() int) {
	m.hashQueue.length.Store(&length)
}
