package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestRecordOnlyLimitReadsNoEvents (issue 21, the end-to-end rate that fell from
// window to window): a limit of 2147483647 events, which only records (the daily
// cap off, an operator's link), reads none of its key's events, however many there
// are; a limit that counts reads at most its own Max of them. Before migration 0008
// each link to a user read and sorted all that user's links of the day. What the
// call read is its connection's own statistics, so the test waits on nothing.
func TestRecordOnlyLimitReadsNoEvents(t *testing.T) {
	pool := migrated(t)
	const events = 2000
	exec(t, pool, `INSERT INTO pwreset_rate_limits (key, at)
		SELECT 'reset_link:user:u1', now() - i * interval '1 second' FROM generate_series(1, $1) i`, events)
	exec(t, pool, "ANALYZE pwreset_rate_limits")
	for _, c := range []struct {
		max      int32
		mostRead int64
	}{{2147483647, 0}, {events + 1, events + 1}} {
		tx, err := pool.Begin(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		before := eventsRead(t, tx)
		var refused int32
		err = tx.QueryRow(testCtx(t), `SELECT refused FROM pwreset_add_limited(ARRAY['reset_link:user:u1'], $1::integer[],
			ARRAY[now() - interval '1 day'], ARRAY['daily_cap'], '', now(), NULL,
			'reset_link', 'u1', 'from@example.com', 'u1@example.com', 's', 't', 'h', false, '')`, []int32{c.max}).Scan(&refused)
		if err != nil {
			t.Fatal(err)
		}
		read := eventsRead(t, tx) - before
		_ = tx.Rollback(testCtx(t))
		if refused != -1 || read > c.mostRead {
			t.Errorf("a limit of %d with %d events in its window: refused %d, %d events read; want -1 and at most %d read",
				c.max, events, refused, read, c.mostRead)
		}
		if c.max == events+1 && read == 0 {
			t.Errorf("a limit of %d with %d events in its window read none; the statistics measure nothing", c.max, events)
		}
	}
}

// eventsRead is how many events tx's connection has read, from pwreset_rate_limits
// or one of its indexes, and not yet reported to the statistics (PostgreSQL 15
// keeps them until it is idle). An event read through an index counts once, as
// the entry its index returned.
func eventsRead(t *testing.T, tx pgx.Tx) int64 {
	t.Helper()
	var n int64
	err := tx.QueryRow(testCtx(t), `SELECT sum(pg_stat_get_xact_tuples_returned(r))::bigint
		FROM (SELECT 'pwreset_rate_limits'::regclass::oid UNION ALL
		      SELECT indexrelid FROM pg_index WHERE indrelid = 'pwreset_rate_limits'::regclass) AS rels(r)`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
