// Package mongo holds the MongoDB adapters: the ports.UserStore of a users
// collection that belongs to another team, and the ports.Outbox and
// ports.RateLimiter in collections that pwreset owns.
//
// In the team's users collection it changes nothing but the password field (and,
// if configured, a password-changed-at field), creates no index, and never drops
// anything. Its own collections, in the same database, are the outbox
// (OutboxConfig.Collection) and the rate-limit events (RateLimitConfig.Collection).
//
// # Single-document atomicity
//
// MongoDB applies each write to one document atomically, filter and change
// alike, and refuses an insert that would repeat a unique index entry. Every
// race is settled by one such write:
//
//   - SetPassword is one update filtered on the user's id and the hash read: of
//     resets racing with the same link, one matches;
//   - Outbox.Claim is one findAndModify of the earliest due message: of workers
//     racing for it, one gets it, and a dead worker's message is simply due
//     again when its lease ends;
//   - Outbox.AddLimited is one insert of the message carrying its limit events
//     and their tickets, and RateLimiter.Allow one insert of an event with its
//     tickets, in fields with unique indexes (see tickets.go): of callers racing
//     for a limit's last place, one inserts, the others read again.
//
// A write whose answer is lost is settled by reading again, from the primary
// with read concern "majority", which no failover can roll back; writes default
// to write concern "majority" (see Connect). A write the server refused
// (validation, privileges) wraps ports.ErrWriteRefused: it did not apply.
// Leases and held messages' due times follow the server's clock (serverClock).
//
// FerretDB v1, on which the tests run, runs an update as a query followed by a
// write, so its writes are not atomic; the tests put it behind a proxy that lets
// one command at a time reach it (mongotest.Serial), which makes them so. Only
// features FerretDB has are relied on (no aggregation-pipeline updates, $expr,
// transactions, change streams or collation; TTL indexes where the server takes
// them), so the same tests run against FerretDB and against MongoDB.
//
// On a sharded cluster, leave the outbox and rate-limit collections unsharded:
// a unique index is unique across shards only when it starts with the shard key.
package mongo
