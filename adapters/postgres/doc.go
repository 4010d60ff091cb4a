// Package postgres implements pwreset's stores on PostgreSQL, through pgx:
//
//   - UserStore reads the team's own users table (USERS_TABLE) through the same
//     field mapping as the MongoDB store, and writes only the password column and
//     the changed-at column. Its compare-and-set is one
//     UPDATE ... WHERE id = $1 AND password = $2, which PostgreSQL applies
//     atomically: of two resets racing with one link, the second re-reads the row
//     once the first commits and no longer matches.
//   - Outbox and RateLimiter live in tables pwreset owns, pwreset_outbox and
//     pwreset_rate_limits, created by the embedded, versioned migrations that
//     Migrate runs (at start-up, or alone with `pwreset migrate`). Claims take the
//     earliest due message with FOR UPDATE SKIP LOCKED; a rate-limit check runs
//     under transaction-scoped advisory locks on its keys, so every limit is exact
//     under races, not only limit 1.
//
// Nothing here needs the arbitration documents of the MongoDB adapter: PostgreSQL
// gives row locks and atomic updates. Every call is bounded by the store's timeout
// on top of the caller's deadline; a server that cannot be reached, or answers too
// slowly, is ports.ErrUnavailable.
package postgres
