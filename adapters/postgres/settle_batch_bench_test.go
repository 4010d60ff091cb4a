package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// BenchmarkMarkSentBatch settles a claimed batch of 16 messages (issue 21): with
// one MarkSent each, as the dispatcher did, or with one MarkSentBatch. Each
// iteration claims its batch first (one statement, in both); settled-µs is the
// settle's own time per message.
func BenchmarkMarkSentBatch(b *testing.B) {
	const n = 16
	for _, batched := range []bool{false, true} {
		b.Run(fmt.Sprint("batched=", batched), func(b *testing.B) {
			pool := migrated(b)
			exec(b, pool, `INSERT INTO pwreset_outbox (state, created_at, next_attempt_at, kind, user_id, from_address,
				to_address, subject, body_text, body_html)
				SELECT 'pending', now(), now() - interval '1 hour', 'reset_link', 'u', 'f', 't', 's', 'body', 'html'
				FROM generate_series(1, 100000)`)
			exec(b, pool, "VACUUM ANALYZE pwreset_outbox")
			box := postgres.NewOutbox(pool, 0)
			var settling time.Duration
			for i := 0; b.Loop(); i++ {
				owner := fmt.Sprint("batch-", i)
				envs, err := box.ClaimBatch(testCtx(b), owner, time.Now(), time.Minute, n)
				if err != nil || len(envs) != n {
					b.Fatal(len(envs), err)
				}
				ds := make([]ports.Delivery, n)
				for j, env := range envs {
					ds[j] = ports.Delivery{ID: env.ID, Owner: owner, ProviderID: "p-" + env.ID, At: time.Now()}
				}
				start := time.Now()
				errs := settle(b, box, ds, batched)
				settling += time.Since(start)
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(settling.Microseconds())/float64(b.N*n), "settled-µs/msg")
		})
	}
}

func settle(b *testing.B, box *postgres.Outbox, ds []ports.Delivery, batched bool) []error {
	if batched {
		return box.MarkSentBatch(testCtx(b), ds)
	}
	errs := make([]error, len(ds))
	for i, d := range ds {
		errs[i] = box.MarkSent(testCtx(b), d.ID, d.Owner, d.ProviderID, d.At)
	}
	return errs
}
