package app

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/pwreset/pwreset/adapters/hibp"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/ports"
)

// PasswordSettings say which new passwords are refused: too short, or, with the
// breach check on, known from breaches (Have I Been Pwned).
type PasswordSettings struct {
	MinLength   int           `env:"PASSWORD_MIN_LENGTH" envDefault:"8"`
	BreachCheck bool          `env:"BREACHED_PASSWORD_CHECK" envDefault:"false"`
	HIBPAPIURL  string        `env:"HIBP_API_URL" envDefault:"https://api.pwnedpasswords.com"`
	HIBPTimeout time.Duration `env:"HIBP_TIMEOUT" envDefault:"2s"`
}

func (s PasswordSettings) problems() []error {
	var p []error
	if s.MinLength < 1 {
		p = append(p, errors.New("PASSWORD_MIN_LENGTH must be at least 1"))
	}
	if !s.BreachCheck {
		return p
	}
	if s.HIBPTimeout <= 0 {
		p = append(p, errors.New("HIBP_TIMEOUT must be a positive duration, such as 2s"))
	}
	if u, err := url.Parse(s.HIBPAPIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p = append(p, fmt.Errorf("HIBP_API_URL %q must be an absolute URL such as https://api.pwnedpasswords.com", s.HIBPAPIURL))
	}
	return p
}

// ProvidePolicy returns the password policy.
func ProvidePolicy(cfg Config) *policy.Policy { return policy.New(cfg.Password.MinLength) }

// ProvideBreachChecker returns the Have I Been Pwned checker, or nil when
// BREACHED_PASSWORD_CHECK is off.
func ProvideBreachChecker(cfg Config, t Tracing) ports.BreachChecker {
	s := cfg.Password
	if !s.BreachCheck {
		return nil
	}
	return t.breach(hibp.NewChecker(hibp.Config{BaseURL: s.HIBPAPIURL, Timeout: s.HIBPTimeout}))
}
