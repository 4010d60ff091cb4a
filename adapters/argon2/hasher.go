// Package argon2 hashes passwords with Argon2id, stored as PHC strings
// ($argon2id$v=19$m=...,t=...,p=...$salt$key).
package argon2

import (
	"errors"
	"fmt"

	"github.com/alexedwards/argon2id"
)

const (
	// saltLength and keyLength are the sizes RFC 9106 recommends; they are not
	// configurable because nothing is gained by changing them.
	saltLength = 16
	keyLength  = 32
	// verifyMemoryLimit (KiB) is the most memory Verify spends on a hash whose
	// parameters exceed the hasher's own: a corrupt m= must not exhaust the process.
	verifyMemoryLimit = 1 << 20 // 1 GiB
)

// Hasher is the ports.PasswordHasher for Argon2id.
type Hasher struct {
	params argon2id.Params
}

// NewHasher returns a Hasher that makes hashes with p. A zero field takes its value
// from DefaultParams, so that a partly set configuration cannot yield a hash with
// no cost (the library panics on zero iterations or lanes).
func NewHasher(p Params) *Hasher {
	d := DefaultParams()
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Iterations == 0 {
		p.Iterations = d.Iterations
	}
	if p.Parallelism == 0 {
		p.Parallelism = d.Parallelism
	}
	return &Hasher{params: argon2id.Params{Memory: p.Memory, Iterations: p.Iterations,
		Parallelism: p.Parallelism, SaltLength: saltLength, KeyLength: keyLength}}
}

// Hash implements ports.PasswordHasher; each call draws a fresh random salt.
func (h *Hasher) Hash(password string) (string, error) {
	hash, err := argon2id.CreateHash(password, &h.params)
	if err != nil {
		return "", fmt.Errorf("argon2: hash password: %w", err)
	}
	return hash, nil
}

// Verify implements ports.PasswordHasher. The parameters come from the hash itself,
// so hashes made before a change of Params still verify. It returns an error only
// for a hash it cannot use.
func (h *Hasher) Verify(hash, password string) (bool, error) {
	p, _, key, err := argon2id.DecodeHash(hash)
	if err != nil {
		return false, fmt.Errorf("argon2: malformed hash: %w", err)
	}
	if err := h.usable(p, key); err != nil {
		return false, fmt.Errorf("argon2: malformed hash: %w", err)
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("argon2: verify: %w", err)
	}
	return ok, nil
}

// usable rejects parameters that would make the library panic or run away, which
// DecodeHash lets through.
func (h *Hasher) usable(p *argon2id.Params, key []byte) error {
	switch {
	case p.Iterations == 0 || p.Parallelism == 0:
		return errors.New("zero iterations or parallelism")
	case len(key) == 0:
		return errors.New("empty key")
	case p.Memory > max(verifyMemoryLimit, h.params.Memory):
		return fmt.Errorf("memory cost of %d KiB is over the limit", p.Memory)
	}
	return nil
}
