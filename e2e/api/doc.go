// Package api tests the built binary's API end to end on MongoDB: a reset from link to
// stored hash, key rotation, one-time links under races, rate limits across processes,
// what the logs hold, start-up warnings, and that timing does not tell known accounts
// from unknown ones.
package api
