// Package campaign tests `pwreset campaign` end to end: the binary killed with
// SIGKILL mid-run and resumed, on PostgreSQL, with each user's e-mail counted in
// the outbox.
package campaign
