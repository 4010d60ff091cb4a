// Package events tests the binary's events: with EVENTS_URL set, a password reset
// in demo mode reaches a local receiver as a password.changed event, signed per
// Standard Webhooks and checked with the library's verifier, after the receiver
// first turned it away for a while; on MongoDB, an event refused for good is a
// dead letter that `pwreset outbox` lists and `pwreset outbox retry` sends again
// under its id.
package events
