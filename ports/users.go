package ports

import (
	"context"
	"errors"
	"time"
)

// ErrUserNotFound is returned by a UserStore when no user matches the lookup.
var ErrUserNotFound = errors.New("user not found")

// ErrPasswordChanged is returned by UserStore.SetPassword when the stored hash is no
// longer the one the caller read: another reset got there first.
var ErrPasswordChanged = errors.New("password changed since it was read")

// ErrUnavailable is wrapped by any adapter whose backing service cannot be reached in
// time (MongoDB down, a deadline exceeded). The service answers 503 and retries later.
var ErrUnavailable = errors.New("service temporarily unavailable")

// ErrWriteRefused is a write the store refused outright (validation, privileges):
// it surely did not apply, so it is no possible change. Adapters wrap it only where
// the store said so; an unclear failure (a timeout, a lost connection) wraps
// ErrUnavailable instead, for that write may have applied.
var ErrWriteRefused = errors.New("the store refused the write; it did not apply")

// User is what the domain knows of an account.
type User struct {
	// ID is the value of the verification id field as text: an ObjectId as its hex
	// string, an integer in decimal, a string as it is.
	ID string
	// Logins holds the user's login fields that are strings, in the configured order.
	Logins []Field
	// Email is the user's e-mail address; empty when the user has none.
	Email string
	// PasswordHash is the stored hash, opaque to the domain.
	PasswordHash string
	// Language is the language tag the user chose ("de", "pt-BR"), from the field
	// USER_LANGUAGE_FIELD names; empty when the store keeps none.
	Language string
	// FirstName and LastName are the user's names (USER_FIRST_NAME_FIELD,
	// USER_LAST_NAME_FIELD; Django's first_name and last_name), which a new password
	// must not resemble; empty when the store keeps none.
	FirstName string
	LastName  string
	// Inactive is true when the store marks the account inactive (USER_ACTIVE_FIELD
	// holds false, as Django's is_active does); false when it keeps no such field.
	Inactive bool
}

// Field is one named value of a user document.
type Field struct {
	Name  string
	Value string
}

// PasswordChange is a compare-and-set of a user's password hash.
type PasswordChange struct {
	UserID    string
	OldHash   string // the hash the caller read; the change applies only if it is still stored
	NewHash   string
	ChangedAt time.Time
}

// UserStore finds users and replaces their password hash.
//
//go:generate go tool mockgen -destination=../mocks/users.go -package=mocks . UserStore
type UserStore interface {
	// FindByLogin looks the value up in each login field in the configured order
	// (exact match) and returns the first user found, or ErrUserNotFound.
	FindByLogin(ctx context.Context, login string) (User, error)
	// FindByEmail looks the value up in the e-mail field (exact match).
	FindByEmail(ctx context.Context, email string) (User, error)
	// FindByID looks the user up by its verification id, as User.ID writes it.
	FindByID(ctx context.Context, id string) (User, error)
	// SetPassword stores the new hash if the stored one is still change.OldHash.
	// It returns ErrPasswordChanged if it is not, ErrUserNotFound if the user is gone.
	SetPassword(ctx context.Context, change PasswordChange) error
}
