// Package postgres tests the binary on PostgreSQL with an SMTP relay: a reset end to
// end, races, outages and hangs, the Django schema, the shared outbox, the migrate
// command and the support commands.
package postgres
