package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// printTables writes, after a window (--pg-tables), what the outbox and the
// limit events look like to PostgreSQL: live and dead rows, updates and how many
// of them were HOT, autovacuum runs, sizes, and the plans of the two statements
// whose cost could grow with the tables: the claim of due messages and the look-up
// of a user's limit events (that of the bench's user, the daily cap off).
func printTables(w io.Writer, db *pgStats, userID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, _ := db.Query(ctx, `SELECT relname, n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd,
		autovacuum_count, autoanalyze_count, pg_size_pretty(pg_relation_size(relid)),
		pg_size_pretty(pg_indexes_size(relid))
		FROM pg_stat_user_tables WHERE relname IN ('pwreset_outbox', 'pwreset_rate_limits') ORDER BY relname`)
	for rows.Next() {
		var name, heap, idx string
		var live, dead, upd, hot, av, aa int64
		if rows.Scan(&name, &live, &dead, &upd, &hot, &av, &aa, &heap, &idx) == nil {
			fmt.Fprintf(w, "    %s: live %d, dead %d, updates %d (HOT %d), autovacuum %d, autoanalyze %d, heap %s, indexes %s\n",
				name, live, dead, upd, hot, av, aa, heap, idx)
		}
	}
	rows.Close()
	explain(ctx, w, db, "limit look-up", `SELECT FROM pwreset_rate_limits WHERE key = $1
		AND at > now() - interval '1 day' ORDER BY at DESC OFFSET 2147483646 LIMIT 1`, "reset_link:user:"+userID)
	explain(ctx, w, db, "claim", `SELECT id FROM pwreset_outbox WHERE state IN ('pending', 'sending')
		AND next_attempt_at <= now() ORDER BY next_attempt_at, id LIMIT 16 FOR UPDATE SKIP LOCKED`)
}

// explain writes the plan of sql as run, in a transaction rolled back.
func explain(ctx context.Context, w io.Writer, db *pgStats, name, sql string, args ...any) {
	_ = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+sql, args...)
		if err != nil {
			fmt.Fprintf(w, "    %s: %v\n", name, err)
			return err
		}
		lines, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		fmt.Fprintf(w, "    %s:\n      %s\n", name, strings.Join(lines, "\n      "))
		return errRollback
	})
}

var errRollback = fmt.Errorf("rolled back")
