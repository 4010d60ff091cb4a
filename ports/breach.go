package ports

import "context"

// BreachChecker tells whether a password appeared in a known data breach.
//
//go:generate go tool mockgen -destination=../mocks/breach.go -package=mocks . BreachChecker
type BreachChecker interface {
	// Breached reports whether password is known to have leaked. An error means the
	// check could not be made (the caller decides whether to let the password through).
	Breached(ctx context.Context, password string) (bool, error)
}
