// Package events tests the binary's events: with EVENTS_URL set, a password reset
// in demo mode reaches a local receiver as a password.changed event, signed per
// Standard Webhooks and checked with the library's verifier, after the receiver
// first turned it away for a while.
package events
