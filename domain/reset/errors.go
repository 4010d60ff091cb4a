package reset

import (
	"errors"
	"strings"
)

// Errors the use cases return. Store and mailer failures are passed on wrapped.
var (
	// ErrUserNotFound: no user matched, and the configuration says to reveal it.
	ErrUserNotFound = errors.New("user not found")
	// ErrInvalidSignature: the link was tampered with, its user is unknown, or it was
	// already used (one-time links).
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrSignatureExpired: the link is genuine but older than the configured period.
	ErrSignatureExpired = errors.New("signature expired")
)

// MsgTooLong is the policy message for a password the hasher cannot take whole.
const MsgTooLong = "This password is too long."

// PasswordError says why a new password was refused.
type PasswordError struct {
	// Policy lists every policy message that applies, in Django's order.
	Policy []string
	// Mismatch is true when the confirmation differs from the password.
	Mismatch bool
}

func (e *PasswordError) Error() string {
	msgs := e.Policy
	if e.Mismatch {
		msgs = append(msgs[:len(msgs):len(msgs)], "passwords don't match")
	}
	return "password refused: " + strings.Join(msgs, " ")
}
