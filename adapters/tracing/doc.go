// Package tracing makes OpenTelemetry spans of the steps of pwreset's use cases from
// the outside: decorators of the ports (users, outbox, rate limits, the hash, the
// breach check, the mail provider) that app puts around the adapters when tracing is
// on, so that the domain stays free of any tracing library.
//
// A step is a span only inside a trace that a request started: the dispatcher's and
// the purges' polls make none. A mail delivery attempt is always a span, the child
// of the request that queued the message when the message carries its traceparent.
//
// Spans are named after the port and its method ("users.FindByLogin",
// "outbox.AddLimited") and carry no argument: no login, address, password, hash or
// link. A failed step's status names the kind of failure, never the error's text,
// which may quote what the caller sent.
package tracing
