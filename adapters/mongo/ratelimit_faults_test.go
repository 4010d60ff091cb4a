package mongo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestRateLimiterFailedRecord: recording a cooldown's event, its turn, fails
// (never sent, or landed with its answer lost). The hit fails with ErrUnavailable
// (503, try again), and the retry a second later is allowed: the failed hit took
// its event back if it landed (issue 8, item 2: a turn left behind silenced the
// retry for a whole window).
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
			if ok || !errors.Is(err, ports.ErrUnavailable) || f.pending() != 0 {
				t.Fatalf("Allow whose record failed = %v, %v; want ErrUnavailable", ok, err)
			}
			allow(t, l, k, w, t0.Add(time.Second), true, 0)
			allow(t, l, k, w, t0.Add(2*time.Second), false, w-time.Second)
		})
	}
}
