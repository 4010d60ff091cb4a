// Package bursts proves, against the binary on MongoDB (FerretDB behind a proxy
// that lets one command at a time reach it, as MongoDB's single-document writes
// are atomic), that bursts of concurrent link requests cannot get past the limits:
// the per-IP limit, a user's daily cap, and the cooldown while every client hangs
// up at some moment of its request. e2e/postgres holds the same on PostgreSQL.
package bursts
