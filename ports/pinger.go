package ports

import "context"

// Pinger checks that the service pwreset stores its data in answers (readiness). A
// store adapter implements it with one cheap round trip, bounded by ctx.
//
//go:generate go tool mockgen -destination=../mocks/pinger.go -package=mocks . Pinger
type Pinger interface {
	Ping(ctx context.Context) error
}
