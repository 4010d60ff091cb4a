// Package postgres implements pwreset's stores on PostgreSQL, through pgx:
//
//   - UserStore reads the team's own users table (USERS_TABLE) through the same
//     field mapping as the MongoDB store, and writes only the password column and
//     the changed-at column. Its compare-and-set is one
//     UPDATE ... WHERE id = $1 AND password = $2, which PostgreSQL applies
//     atomically: of two resets racing with one link, the second re-reads the row
//     once the first commits and no longer matches. A write the server refuses
//     (a check, a privilege) is ports.ErrWriteRefused: it surely did not apply.
//   - Outbox and RateLimiter live in tables pwreset owns, pwreset_outbox and
//     pwreset_rate_limits, created by the embedded, versioned migrations that
//     Migrate runs (at start-up, or alone with `pwreset migrate`). Claims take the
//     earliest due message with FOR UPDATE SKIP LOCKED, judged by the database's
//     clock. Outbox.AddLimited is one call of the function pwreset_add_limited,
//     which checks a link's limits and stores their events with the message in
//     one transaction; RateLimiter.Allow one of pwreset_rate_limit_allow. Both run
//     under transaction-scoped advisory locks on their keys, so every limit is
//     exact under races, not only limit 1, at the READ COMMITTED level Connect
//     asks for (they refuse to count at any other).
//
// Nothing here needs the arbitration documents of the MongoDB adapter: PostgreSQL
// gives row locks, atomic updates and transactions. Every call is bounded by the
// store's timeout on top of the caller's deadline; a server that cannot be
// reached, or answers too slowly, is ports.ErrUnavailable.
package postgres
