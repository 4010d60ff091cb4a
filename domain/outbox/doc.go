// Package outbox delivers e-mail durably. The use cases send through a Queue, which
// only stores the message in the outbox, so that a request never waits on the mail
// provider and a message survives the process that stored it. A Dispatcher in every
// process claims due messages from the shared outbox, sends them through the
// provider, and retries temporary failures with backoff until MaxAge.
//
// Delivery is at least once: a send whose outcome could not be stored (the process
// died, or the store was down) is sent again once its lease expires. A worker does
// not wait for a delivery to be stored: it hands it to a settler that records the
// workers' deliveries together (settler.go), so a process killed outright leaves
// those still waiting for it leased, to be sent again: the window between a send
// and its record, some milliseconds wider.
package outbox
