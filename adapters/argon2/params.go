package argon2

import (
	"errors"
	"fmt"
)

// MaxMemory is the largest memory cost Validate accepts, in KiB: 4 GiB. Every
// concurrent hash takes this much, so anything larger is a typo rather than a choice.
const MaxMemory = 4 << 20

// Params are the cost parameters of new hashes. Their fields are plain numbers so
// that a configuration layer can set them (ARGON2_MEMORY_KIB, ARGON2_ITERATIONS,
// ARGON2_PARALLELISM) and check them with Validate.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Iterations is the number of passes over the memory.
	Iterations uint32
	// Parallelism is the number of lanes; it changes the hash, not only its speed.
	Parallelism uint8
}

// DefaultParams returns OWASP's minimum recommendation for Argon2id:
// 19 MiB of memory, 2 iterations, 1 lane.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1}
}

// Validate reports every parameter out of range, one error per problem (joined with
// errors.Join), each naming its environment variable. Zero is out of range here,
// although NewHasher takes it for the default: a configuration that says 0 most
// likely means something else, and should be told.
func (p Params) Validate() error {
	var errs []error
	if p.Iterations < 1 {
		errs = append(errs, errors.New("ARGON2_ITERATIONS must be at least 1"))
	}
	if p.Parallelism < 1 {
		errs = append(errs, errors.New("ARGON2_PARALLELISM must be at least 1"))
	}
	// RFC 9106 needs 8 KiB per lane (two blocks in each of four slices); the library
	// would quietly raise a smaller value, making hashes cost other than configured.
	if minMem := 8 * uint64(max(p.Parallelism, 1)); uint64(p.Memory) < minMem {
		errs = append(errs, fmt.Errorf("ARGON2_MEMORY_KIB is %d; it must be at least %d (8 KiB for each of ARGON2_PARALLELISM's %d lanes)",
			p.Memory, minMem, max(p.Parallelism, 1)))
	}
	if p.Memory > MaxMemory {
		errs = append(errs, fmt.Errorf("ARGON2_MEMORY_KIB is %d; it must be at most %d (4 GiB)", p.Memory, MaxMemory))
	}
	return errors.Join(errs...)
}
