// Package mongo tests `pwreset campaign` end to end on MongoDB (FerretDB unless
// MONGODB_TEST_URI says otherwise): the binary killed with SIGKILL mid-run and
// resumed, each user's e-mail counted in the outbox.
package mongo
