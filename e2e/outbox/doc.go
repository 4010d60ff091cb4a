// Package outbox tests the binary's mail delivery through its durable outbox: answers
// do not wait on the provider, mail survives a SendGrid outage, a permanent refusal
// fails and can be retried, a killed service loses no mail, and two processes share one
// outbox.
package outbox
