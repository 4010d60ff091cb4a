// Package harness is what the end-to-end tests under e2e/ share: it builds the
// pwreset binary once per test package and starts it, seeds MongoDB and
// PostgreSQL, talks to the API as a client would, reads the mail the SendGrid and
// SMTP stand-ins received, runs the support commands, holds MongoDB commands on
// the wire (WireProxy) and drives a headless Chromium.
//
// Each test package calls mongotest.Main or pgtest.Main from its TestMain, so that
// the shared database server stops when its tests end.
package harness
