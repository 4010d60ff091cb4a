package django

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the costs of Django's Argon2PasswordHasher.
type Argon2Params struct {
	Memory      uint32 // KiB (memory_cost)
	Iterations  uint32 // time_cost
	Parallelism uint8  // parallelism
}

// DefaultArgon2Params returns Django's: time_cost=2, memory_cost=102400 (100 MiB),
// parallelism=8.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 102400, Iterations: 2, Parallelism: 8}
}

// argon2KeyLength is argon2-cffi's hash length since 21.2 (RFC 9106), which Django
// takes; Django with an older argon2-cffi writes 16 bytes. Verify takes either.
const argon2KeyLength = 32

// maxArgon2Memory (KiB) is the most DJANGO_ARGON2_MEMORY_KIB may ask for: 4 GiB, as
// ARGON2_MEMORY_KIB's limit.
const maxArgon2Memory = 4 << 20

// verifyMemoryLimit (KiB) is the most Verify spends on a stored hash whose parameters
// exceed the hasher's own: a corrupt m= must not exhaust the process.
const verifyMemoryLimit = 1 << 20 // 1 GiB

// Validate reports every parameter out of range, naming its variable.
func (p Argon2Params) Validate() error {
	var errs []error
	if p.Iterations < 1 {
		errs = append(errs, errors.New("DJANGO_ARGON2_ITERATIONS must be at least 1"))
	}
	if p.Parallelism < 1 {
		errs = append(errs, errors.New("DJANGO_ARGON2_PARALLELISM must be at least 1"))
	}
	if minMem := 8 * uint32(max(p.Parallelism, 1)); p.Memory < minMem || p.Memory > maxArgon2Memory {
		errs = append(errs, fmt.Errorf("DJANGO_ARGON2_MEMORY_KIB is %d; it must be between %d (8 KiB for each of DJANGO_ARGON2_PARALLELISM's lanes) and %d (4 GiB)",
			p.Memory, minMem, maxArgon2Memory))
	}
	return errors.Join(errs...)
}

// Argon2Hasher is the ports.PasswordHasher for Django's argon2 format
// (PASSWORD_HASHER=django_argon2): "argon2" followed by argon2-cffi's PHC string.
type Argon2Hasher struct {
	params Argon2Params
}

// NewArgon2Hasher returns a hasher with p; a zero field takes Django's default.
func NewArgon2Hasher(p Argon2Params) *Argon2Hasher {
	d := DefaultArgon2Params()
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Iterations == 0 {
		p.Iterations = d.Iterations
	}
	if p.Parallelism == 0 {
		p.Parallelism = d.Parallelism
	}
	return &Argon2Hasher{params: p}
}

// Params returns the costs of the hashes h makes.
func (h *Argon2Hasher) Params() Argon2Params { return h.params }

// Hash implements ports.PasswordHasher. Like Django, it salts with a random string of
// its salt alphabet, whose bytes argon2 takes as they are.
func (h *Argon2Hasher) Hash(password string) (string, error) {
	return encodeArgon2(password, []byte(newSalt()), h.params, argon2KeyLength), nil
}

// Verify implements ports.PasswordHasher; the parameters come from the hash.
func (h *Argon2Hasher) Verify(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "argon2" {
		return false, errors.New("django: not an argon2 hash")
	}
	if parts[1] != "argon2id" || parts[2] != "v=19" {
		return false, fmt.Errorf("django: argon2 hash of variety %s, %s: only argon2id, v=19 is read", parts[1], parts[2])
	}
	var p Argon2Params
	n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism)
	if err != nil || n != 3 || fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Iterations, p.Parallelism) != parts[3] {
		return false, fmt.Errorf("django: malformed argon2 parameters %q", parts[3])
	}
	if err := p.Validate(); err != nil || p.Memory > max(verifyMemoryLimit, h.params.Memory) {
		return false, fmt.Errorf("django: argon2 parameters %q out of range", parts[3])
	}
	salt, err1 := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) == 0 || len(key) < 4 {
		return false, errors.New("django: malformed argon2 salt or hash")
	}
	want := encodeArgon2(password, salt, p, uint32(len(key)))
	return subtle.ConstantTimeCompare([]byte(hash), []byte(want)) == 1, nil
}

// encodeArgon2 is Django's Argon2PasswordHasher.encode.
func encodeArgon2(password string, salt []byte, p Argon2Params, keyLen uint32) string {
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("argon2$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}
