package ports

import "time"

// Clock tells the time; tests replace it to move time forward.
//
//go:generate go tool mockgen -destination=../mocks/clock.go -package=mocks . Clock
type Clock interface {
	Now() time.Time
}
