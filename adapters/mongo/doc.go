// Package mongo holds the MongoDB adapter of ports.UserStore: it reads the accounts
// of a users collection that belongs to another team, and changes nothing in it but
// the password field (and, if configured, a password-changed-at field).
//
// It depends on no feature that FerretDB lacks (TTL indexes, transactions, change
// streams, collation), creates no index, and never drops anything, so its tests run
// against FerretDB (see package mongotest) as well as against MongoDB.
package mongo
