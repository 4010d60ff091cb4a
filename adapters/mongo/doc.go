// Package mongo holds the MongoDB adapters: the ports.UserStore of a users
// collection that belongs to another team, and the ports.Outbox and
// ports.RateLimiter in collections that pwreset owns.
//
// In the team's users collection it changes nothing but the password field (and,
// if configured, a password-changed-at field), creates no index, and never drops
// anything. Its own collections, in the same database, are the password-change
// guards (UserMapping.GuardCollection), the outbox (OutboxConfig.Collection),
// the outbox's claims (the outbox's name plus "_claims"), the rate-limit events
// (RateLimitConfig.Collection).
//
// # Races are settled by inserts
//
// Two resets may carry the same link, any number of workers claim outbox
// messages at once, and instances count hits on one rate limit. On MongoDB one filtered update would settle either race, as
// MongoDB applies filter and change to a document atomically. FerretDB v1, on which
// the tests run, does not: it runs an update, findAndModify or delete as a query
// followed by a write by _id, so several writers can all match the same old state.
// What both do atomically is refuse an insert whose _id is taken: of any number of
// inserts of one _id, exactly one succeeds and the others fail with a duplicate-key
// error. So every race is given a name, the _id of a small document in a
// collection of pwreset's, and whoever inserts it first has won:
//
//   - SetPassword inserts a guard named after the user and the hash it read, then
//     makes its compare-and-set update;
//   - Outbox.Claim inserts the claim "<message id>:<attempt>", then leases the
//     message for that attempt;
//   - RateLimiter.AllowAll (and Allow with limit 1) records the event of a key
//     of limit 1 under the name "<key>:<time of its latest event>", first in
//     the ordered insert of all the request's events, so that a loser records
//     none of them.
//
// The losers back off without writing. The winner's update is still filtered on
// what it read, so that on MongoDB a write delayed past every deadline cannot undo
// a later one. A winner may die between its insert and its update; its document
// carries an expiry after which it no longer blocks anybody, and no pile of them
// stalls anything (see claimAttempt and takeOver). A rate-limit event needs no
// update: its insert is the whole record.
//
// FerretDB also writes an update as the whole document it read, changed: a write
// that lands late can undo another one. So a document is only ever updated by the
// winner of the insert that names the update, never by several "idempotent"
// writers at once.
//
// On a sharded cluster, leave the guard, claims and rate-limit collections
// unsharded or shard them on _id: only then is an _id unique across shards.
//
// Only features FerretDB has are relied on (TTL indexes are used where the server
// takes them; no transactions, change streams or collation), so the tests run
// against FerretDB (see package mongotest) as well as against MongoDB.
package mongo
