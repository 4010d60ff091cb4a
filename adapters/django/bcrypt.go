package django

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// DefaultBcryptCost is the cost of Django's BCryptSHA256PasswordHasher (its rounds).
const DefaultBcryptCost = 12

const bcryptSHA256Prefix = "bcrypt_sha256$"

// BcryptSHA256Hasher is the ports.PasswordHasher for Django's bcrypt_sha256 format
// (PASSWORD_HASHER=django_bcrypt_sha256): bcrypt over the hex SHA-256 of the
// password, so no part of a long password is ignored.
type BcryptSHA256Hasher struct {
	cost int
}

// NewBcryptSHA256Hasher returns a hasher of the given cost; DefaultBcryptCost below
// bcrypt's minimum of 4.
func NewBcryptSHA256Hasher(cost int) *BcryptSHA256Hasher {
	if cost < bcrypt.MinCost {
		cost = DefaultBcryptCost
	}
	return &BcryptSHA256Hasher{cost: cost}
}

// Cost returns the cost of the hashes h makes.
func (h *BcryptSHA256Hasher) Cost() int { return h.cost }

// Hash implements ports.PasswordHasher. It writes the $2b$ prefix Django's bcrypt
// library writes: for inputs of 64 bytes it is the same algorithm as the $2a$ the
// Go library writes, and Django then sees nothing to upgrade.
func (h *BcryptSHA256Hasher) Hash(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword(prehash(password), h.cost)
	if err != nil {
		return "", fmt.Errorf("django: bcrypt_sha256: %w", err)
	}
	return bcryptSHA256Prefix + "$2b$" + strings.TrimPrefix(string(b), "$2a$"), nil
}

// Verify implements ports.PasswordHasher; the cost comes from the hash.
func (h *BcryptSHA256Hasher) Verify(hash, password string) (bool, error) {
	b, ok := strings.CutPrefix(hash, bcryptSHA256Prefix)
	if !ok {
		return false, errors.New("django: not a bcrypt_sha256 hash")
	}
	err := bcrypt.CompareHashAndPassword([]byte(b), prehash(password))
	switch {
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("django: malformed bcrypt_sha256 hash: %w", err)
	}
	return true, nil
}

// prehash is what Django's hasher hands bcrypt: the hex digest, 64 bytes.
func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(hex.EncodeToString(sum[:]))
}
