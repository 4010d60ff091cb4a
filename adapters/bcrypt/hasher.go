// Package bcrypt hashes passwords with bcrypt, for user stores that already hold
// bcrypt hashes ($2a$, $2b$, $2y$).
package bcrypt

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/pwreset/pwreset/ports"
)

// DefaultCost is the cost of new hashes unless told otherwise: 2^12 rounds, above
// the library's 10, which has not kept pace with hardware.
const DefaultCost = 12

// maxPassword is the most bcrypt reads of a password, in bytes.
const maxPassword = 72

// Hasher is the ports.PasswordHasher for bcrypt.
type Hasher struct {
	cost int
}

// NewHasher returns a Hasher that makes hashes of the given cost. A cost below
// bcrypt's minimum of 4, such as 0, selects DefaultCost, as the library does with
// its own default; a cost above 31 makes Hash fail.
func NewHasher(cost int) *Hasher {
	if cost < bcrypt.MinCost {
		cost = DefaultCost
	}
	return &Hasher{cost: cost}
}

// Hash implements ports.PasswordHasher. A password over 72 bytes is refused with
// ports.ErrPasswordTooLong: bcrypt would ignore the rest of it.
func (h *Hasher) Hash(password string) (string, error) {
	if len(password) > maxPassword {
		return "", ports.ErrPasswordTooLong
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), h.cost)
	if err != nil {
		return "", fmt.Errorf("bcrypt: hash password: %w", err)
	}
	return string(hash), nil
}

// Verify implements ports.PasswordHasher; the cost comes from the hash. It returns
// an error only for a hash it cannot read.
func (h *Hasher) Verify(hash, password string) (bool, error) {
	// bcrypt compares only the first 72 bytes, so a longer password would match the
	// hash of its prefix. Hash never stores such a password, so it cannot be right;
	// the hash is still read so that a malformed one is reported as such.
	if len(password) > maxPassword {
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return false, fmt.Errorf("bcrypt: malformed hash: %w", err)
		}
		return false, nil
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	switch {
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("bcrypt: malformed hash: %w", err)
	}
	return true, nil
}
