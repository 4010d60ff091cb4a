package ports

import (
	"context"
	"errors"
)

// ErrPasswordTooLong is returned by a hasher that cannot take the whole password
// (bcrypt reads at most 72 bytes); the password is refused rather than cut short.
var ErrPasswordTooLong = errors.New("password too long for the hash algorithm")

// ErrHasherBusy is returned to a request that waited for a password hashing slot
// longer than it may (HASH_QUEUE_TIMEOUT): every slot stayed taken. The API answers
// 503 with Retry-After.
var ErrHasherBusy = errors.New("no password hashing slot came free in time")

// PasswordHasher turns a password into the string stored in the user document.
//
//go:generate go tool mockgen -destination=../mocks/hasher.go -package=mocks . PasswordHasher
type PasswordHasher interface {
	// Hash returns an encoded hash (such as a PHC string) of password, or
	// ErrPasswordTooLong.
	Hash(password string) (string, error)
	// Verify reports whether password matches the encoded hash.
	Verify(hash, password string) (bool, error)
}

// ContextHasher is a PasswordHasher that also hashes under the caller's context, so
// that the hash is traced as a step of the request that asked for it.
type ContextHasher interface {
	HashContext(ctx context.Context, password string) (string, error)
}

// HashWith hashes password with h, under ctx when h is a ContextHasher.
func HashWith(ctx context.Context, h PasswordHasher, password string) (string, error) {
	if ch, ok := h.(ContextHasher); ok {
		return ch.HashContext(ctx, password)
	}
	return h.Hash(password)
}
