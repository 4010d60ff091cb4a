package ports

import "time"

// Event is a security event as domain/audit names it (reset_link.queued,
// password_reset.failed, reset_link.sent, ...), with the reason it carries, if any.
type Event struct {
	Name   string
	Reason string
}

// EventObserver is told of every audit event, to count outcomes (metrics). It must
// not block: it runs on the request's path.
//
//go:generate go tool mockgen -destination=../mocks/observer.go -package=mocks . EventObserver,RequestObserver
type EventObserver interface {
	Observe(e Event)
}

// RequestObserver is told of every HTTP request the API answers. It must not block.
type RequestObserver interface {
	// Declare names a route, method and status before any request, so that the
	// series of the answers that matter exist (at zero) from start-up.
	Declare(route, method string, status int)
	// ObserveRequest records one answer. route is the route pattern (never the raw
	// path), or "unmatched" for a path no route serves.
	ObserveRequest(route, method string, status int, took time.Duration)
}
