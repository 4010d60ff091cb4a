package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/ports"
)

// BenchmarkCampaignQueue measures how many users a second a campaign queues on
// PostgreSQL, with and without marking passwords unusable, over 20,000 users a
// run, unpaced (docs/performance.md, "Breach-response campaign"):
//
//	go test -run '^$' -bench CampaignQueue -benchtime 1x ./adapters/postgres/
func BenchmarkCampaignQueue(b *testing.B) {
	const n = 20_000
	for _, invalidate := range []bool{false, true} {
		b.Run(fmt.Sprint("invalidate=", invalidate), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				pool := migrated(b)
				ctx := testCtx(b)
				if _, err := pool.Exec(ctx, `CREATE TABLE users (id bigint PRIMARY KEY, username text, email text, password text)`); err != nil {
					b.Fatal(err)
				}
				if _, err := pool.Exec(ctx, `INSERT INTO users SELECT i, 'u' || i, 'u' || i || '@example.com', 'hash-' || i
					FROM generate_series(1, $1) AS i`, n); err != nil {
					b.Fatal(err)
				}
				users, err := postgres.NewUserStore(ctx, pool, postgres.UserMapping{})
				if err != nil {
					b.Fatal(err)
				}
				s := campaign.New(campaign.Deps{Store: postgres.NewCampaignStore(pool, 0), Users: users,
					Queue: postgres.NewOutbox(pool, 0), Letter: campaignLetter{}, Clock: wallClock{}})
				c, err := s.Start(ctx, campaign.Spec{Rate: 1e9, Invalidate: invalidate})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				if c, err = s.Run(b.Context(), c.ID); err != nil || c.State != ports.CampaignDone {
					b.Fatalf("run: %+v, %v", c, err)
				}
				b.ReportMetric(n/time.Since(start).Seconds(), "users/s")
			}
		})
	}
}
