package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/bcrypt"
	"github.com/pwreset/pwreset/adapters/django"
	"github.com/pwreset/pwreset/adapters/hashpool"
	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/ports"
)

// HasherSettings say how new passwords are hashed: the format (PASSWORD_HASHER),
// its costs, and how many hashes run at once.
type HasherSettings struct {
	// Name is the format; default: USER_SCHEMA's, or argon2id (StoreSettings'
	// schema, resolved after parsing).
	Name              string `env:"PASSWORD_HASHER"`
	Argon2Memory      uint32 `env:"ARGON2_MEMORY_KIB" envDefault:"19456"`
	Argon2Iterations  uint32 `env:"ARGON2_ITERATIONS" envDefault:"2"`
	Argon2Parallelism uint8  `env:"ARGON2_PARALLELISM" envDefault:"1"`
	BcryptCost        int    `env:"BCRYPT_COST" envDefault:"12"`
	// Django's formats take Django's names for their costs.
	DjangoPBKDF2Iterations  int    `env:"DJANGO_PBKDF2_ITERATIONS" envDefault:"1000000"`
	DjangoArgon2Memory      uint32 `env:"DJANGO_ARGON2_MEMORY_KIB" envDefault:"102400"`
	DjangoArgon2Iterations  uint32 `env:"DJANGO_ARGON2_ITERATIONS" envDefault:"2"`
	DjangoArgon2Parallelism uint8  `env:"DJANGO_ARGON2_PARALLELISM" envDefault:"8"`
	// Concurrency is how many hashes run at once; 0: the number of CPUs.
	Concurrency  int           `env:"HASH_CONCURRENCY"`
	QueueTimeout time.Duration `env:"HASH_QUEUE_TIMEOUT" envDefault:"5s"`
}

// Hasher names of Django's formats (PASSWORD_HASHER).
const (
	HasherDjangoPBKDF2       = "django_pbkdf2_sha256"
	HasherDjangoArgon2       = "django_argon2"
	HasherDjangoBcryptSHA256 = "django_bcrypt_sha256"
)

// hasherNames are the values PASSWORD_HASHER takes.
var hasherNames = []string{"argon2id", "bcrypt", HasherDjangoPBKDF2, HasherDjangoArgon2, HasherDjangoBcryptSHA256}

func (h HasherSettings) problems() []error {
	var p []error
	if !slices.Contains(hasherNames, h.Name) {
		p = append(p, fmt.Errorf("PASSWORD_HASHER %q is not supported: use %s", h.Name, strings.Join(hasherNames, ", ")))
	}
	if h.Concurrency < 0 {
		p = append(p, errors.New("HASH_CONCURRENCY must not be negative (0: the number of CPUs)"))
	}
	if h.QueueTimeout <= 0 || h.QueueTimeout >= apihttp.WriteTimeout {
		p = append(p, fmt.Errorf("HASH_QUEUE_TIMEOUT must be a positive duration under %s (the HTTP write timeout), such as 5s: "+
			"the longest a reset waits for a hashing slot", apihttp.WriteTimeout))
	}
	return append(p, h.costProblems()...)
}

// costProblems checks the costs of the chosen format only.
func (h HasherSettings) costProblems() []error {
	var err error
	switch h.Name {
	case "argon2id":
		err = h.argon2Params().Validate()
	case "bcrypt", HasherDjangoBcryptSHA256:
		err = bcrypt.ValidateCost(h.BcryptCost)
	case HasherDjangoPBKDF2:
		err = django.ValidatePBKDF2Iterations(h.DjangoPBKDF2Iterations)
	case HasherDjangoArgon2:
		err = h.djangoArgon2Params().Validate()
	}
	return Problems(err)
}

func (h HasherSettings) argon2Params() argon2.Params {
	return argon2.Params{Memory: h.Argon2Memory, Iterations: h.Argon2Iterations, Parallelism: h.Argon2Parallelism}
}

func (h HasherSettings) djangoArgon2Params() django.Argon2Params {
	return django.Argon2Params{Memory: h.DjangoArgon2Memory, Iterations: h.DjangoArgon2Iterations, Parallelism: h.DjangoArgon2Parallelism}
}

// hasher returns the hasher of the chosen format.
func (h HasherSettings) hasher() ports.PasswordHasher {
	switch h.Name {
	case "bcrypt":
		return bcrypt.NewHasher(h.BcryptCost)
	case HasherDjangoPBKDF2:
		return django.NewPBKDF2Hasher(h.DjangoPBKDF2Iterations)
	case HasherDjangoArgon2:
		return django.NewArgon2Hasher(h.djangoArgon2Params())
	case HasherDjangoBcryptSHA256:
		return django.NewBcryptSHA256Hasher(h.BcryptCost)
	}
	return argon2.NewHasher(h.argon2Params())
}

// ProvideHasher returns the hasher PASSWORD_HASHER names, on a bounded pool so that a
// burst of resets cannot take all memory (argon2id takes ARGON2_MEMORY_KIB each).
// Resets queue for the pool at most HASH_QUEUE_TIMEOUT; the metrics show the queue.
func ProvideHasher(cfg Config, m *prometheus.Metrics) *hashpool.Pool {
	h := cfg.Hasher
	size := h.Concurrency
	if size == 0 {
		size = hashpool.DefaultSize()
	}
	// Timed inside the pool: the hash, not the wait.
	pool := hashpool.New(m.TimeHasher(h.hasher()), size, hashpool.MaxWait(h.QueueTimeout))
	m.WatchHashQueue(pool.Waiting)
	return pool
}
