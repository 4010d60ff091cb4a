package django

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultPBKDF2Iterations is Django 5.2's iteration count for pbkdf2_sha256.
const DefaultPBKDF2Iterations = 1_000_000

// maxPBKDF2Iterations bounds what Verify computes: a corrupt count must not stall a
// hashing slot for minutes. Twenty times Django 5.2's count leaves room for years of
// Django raising it.
const maxPBKDF2Iterations = 20 * DefaultPBKDF2Iterations

// PBKDF2Hasher is the ports.PasswordHasher for Django's pbkdf2_sha256 format
// (PASSWORD_HASHER=django_pbkdf2_sha256).
type PBKDF2Hasher struct {
	iterations int
}

// NewPBKDF2Hasher returns a hasher whose hashes take the given iterations;
// DefaultPBKDF2Iterations below 1.
func NewPBKDF2Hasher(iterations int) *PBKDF2Hasher {
	if iterations < 1 {
		iterations = DefaultPBKDF2Iterations
	}
	return &PBKDF2Hasher{iterations: iterations}
}

// ValidatePBKDF2Iterations reports whether DJANGO_PBKDF2_ITERATIONS is usable.
func ValidatePBKDF2Iterations(n int) error {
	if n < 1 || n > maxPBKDF2Iterations {
		return fmt.Errorf("DJANGO_PBKDF2_ITERATIONS is %d; it must be between 1 and %d (Django 5.2 uses %d)",
			n, maxPBKDF2Iterations, DefaultPBKDF2Iterations)
	}
	return nil
}

// Iterations returns the iterations of the hashes h makes.
func (h *PBKDF2Hasher) Iterations() int { return h.iterations }

// Hash implements ports.PasswordHasher with a fresh salt.
func (h *PBKDF2Hasher) Hash(password string) (string, error) {
	return encodePBKDF2(password, newSalt(), h.iterations)
}

// Verify implements ports.PasswordHasher as Django does: it encodes password with
// the stored salt and iterations and compares the two strings.
func (h *PBKDF2Hasher) Verify(hash, password string) (bool, error) {
	parts := strings.SplitN(hash, "$", 4)
	if len(parts) != 4 || parts[0] != "pbkdf2_sha256" {
		return false, errors.New("django: not a pbkdf2_sha256 hash")
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 1 || n > max(maxPBKDF2Iterations, h.iterations) {
		return false, fmt.Errorf("django: malformed pbkdf2_sha256 hash: iterations %q", parts[1])
	}
	if parts[2] == "" {
		return false, errors.New("django: malformed pbkdf2_sha256 hash: empty salt")
	}
	want, err := encodePBKDF2(password, parts[2], n)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(hash), []byte(want)) == 1, nil
}

// encodePBKDF2 is Django's PBKDF2PasswordHasher.encode: a 32-byte key in standard
// base64 (padded).
func encodePBKDF2(password, salt string, iterations int) (string, error) {
	key, err := pbkdf2.Key(sha256.New, password, []byte(salt), iterations, sha256.Size)
	if err != nil {
		return "", fmt.Errorf("django: pbkdf2_sha256: %w", err)
	}
	return fmt.Sprintf("pbkdf2_sha256$%d$%s$%s", iterations, salt, base64.StdEncoding.EncodeToString(key)), nil
}
