// Package outbox delivers e-mail durably. The use cases send through a Queue, which
// only stores the message in the outbox, so that a request never waits on the mail
// provider and a message survives the process that stored it. A Dispatcher in every
// process claims due messages from the shared outbox, sends them through the
// provider, and retries temporary failures with backoff until MaxAge.
//
// Delivery is at least once: a send whose outcome could not be stored (the process
// died, or the store was down) is sent again once its lease expires.
package outbox
