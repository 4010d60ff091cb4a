package mongo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestRateLimiterFailedRecord: recording a cooldown's event fails. Never sent,
// the hit fails with ErrUnavailable (503, try again) and the retry a second later
// is allowed. Landed with its answer lost, the hit finds its event (by the _id
// it chose, read with read concern "majority") and is allowed: it counts once,
// and the next hit in the window is refused.
func TestRateLimiterFailedRecord(t *testing.T) {
	for name, mode := range map[string]int{"never sent": dropRequest, "answer lost": loseReply} {
		t.Run(name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			prepareLimiter(t, db)
			fdb, f := faulty(t, db)
			l := mongo.NewRateLimiter(fdb, mongo.RateLimitConfig{})
			const k, w = "cool:dora", time.Hour
			f.arm("insert", "rate_limits", mode)
			ok, _, err := l.Allow(testCtx(t), k, 1, w, t0)
			if f.pending() != 0 {
				t.Fatal("the fault never hit")
			}
			if mode == loseReply {
				if !ok || err != nil {
					t.Fatalf("Allow whose answer was lost = %v, %v; want allowed", ok, err)
				}
				allow(t, l, k, w, t0.Add(time.Second), false, w-time.Second)
				return
			}
			if ok || !errors.Is(err, ports.ErrUnavailable) {
				t.Fatalf("Allow whose record failed = %v, %v; want ErrUnavailable", ok, err)
			}
			allow(t, l, k, w, t0.Add(time.Second), true, 0)
			allow(t, l, k, w, t0.Add(2*time.Second), false, w-time.Second)
		})
	}
}
