package app

import (
	"errors"
	"fmt"
	"log/slog"
	"unicode/utf8"

	"github.com/pwreset/pwreset/domain/link"
)

// DjangoSettings make pwreset's links those of a Django back end. Its password
// hash formats are hashers (HasherSettings), the shape of its users table a
// USER_SCHEMA (StoreSettings).
type DjangoSettings struct {
	// LinkSignature is "pwreset" or "django" (django-rest-registration's); default:
	// USER_SCHEMA's, or pwreset (StoreSettings' schema, resolved after parsing).
	LinkSignature string `env:"LINK_SIGNATURE"`
}

// Django's check security.W009 calls a SECRET_KEY weak under 50 characters or 5
// different ones; pwreset warns alike, about the fallbacks too.
const (
	djangoSecretKeyLength = 50
	djangoSecretKeyUnique = 5
)

// MinDjangoKeyChars is the fewest characters a key may have with
// LINK_SIGNATURE=django. One link is enough to test guesses of the key offline, at
// billions of HMACs a second: 32 random characters of even a hex alphabet are 128
// bits, out of reach, while the passwords people type as keys ("changeme",
// "secret") fall short. Django's own keys have 50.
const MinDjangoKeyChars = 32

// DjangoLinks reports whether links are signed as django-rest-registration signs them.
func (c Config) DjangoLinks() bool { return c.Django.LinkSignature == "django" }

func (d DjangoSettings) problems() []error {
	if d.LinkSignature != "django" && d.LinkSignature != "pwreset" {
		return []error{fmt.Errorf("LINK_SIGNATURE %q is not supported: use pwreset (the default) or django", d.LinkSignature)}
	}
	return nil
}

// djangoKeyProblems are the rules for the keys with LINK_SIGNATURE=django: Django
// takes any non-empty SECRET_KEY, and the same key must work here, but one too
// short or too plain to hold is refused.
func djangoKeyProblems(r ResetSettings, demo bool) []error {
	var p []error
	if r.SecretKey == "" && !demo {
		p = append(p, errors.New("SECRET_KEY is required: set it to the SECRET_KEY of the Django back end"))
	}
	if r.SecretKey != "" {
		p = append(p, djangoKeyProblem("SECRET_KEY", r.SecretKey)...)
	}
	for i, k := range r.SecretKeyFallbacks {
		name := fmt.Sprintf("SECRET_KEY_FALLBACKS entry %d", i+1)
		if k == "" { // a stray comma
			p = append(p, fmt.Errorf("%s is empty: remove the stray comma", name))
			continue
		}
		p = append(p, djangoKeyProblem(name, k)...)
	}
	return p
}

// djangoKeyProblem refuses a Django key that is too short or too plain to hold.
func djangoKeyProblem(name, key string) []error {
	if n := utf8.RuneCountInString(key); n < MinDjangoKeyChars {
		return []error{fmt.Errorf("%s has %d characters; with LINK_SIGNATURE=django it must have at least %d: "+
			"generate a new key for Django and pwreset (Django's get_random_secret_key()) and keep the old one "+
			"in SECRET_KEY_FALLBACKS of Django only until its links expire", name, n, MinDjangoKeyChars)}
	}
	if u := uniqueRunes(key); u < djangoSecretKeyUnique {
		return []error{fmt.Errorf("%s has %d different characters; with LINK_SIGNATURE=django it must have at least %d: "+
			"generate a new key (Django's get_random_secret_key())", name, u, djangoSecretKeyUnique)}
	}
	return nil
}

// djangoKeyWarnings are what to log about the keys Django would warn about, one line
// per key and never the key itself; none with pwreset's own signatures.
func (c Config) djangoKeyWarnings() []string {
	if !c.DjangoLinks() {
		return nil
	}
	var w []string
	keys := append([]string{c.Reset.SecretKey}, c.Reset.SecretKeyFallbacks...)
	for i, k := range keys {
		n := utf8.RuneCountInString(k)
		if k == "" || n >= djangoSecretKeyLength && uniqueRunes(k) >= djangoSecretKeyUnique {
			continue
		}
		name := "SECRET_KEY"
		if i > 0 {
			name = fmt.Sprintf("SECRET_KEY_FALLBACKS entry %d", i)
		}
		w = append(w, fmt.Sprintf("%s has %d characters; Django warns under %d (security.W009): "+
			"links signed with a short key are easier to forge", name, n, djangoSecretKeyLength))
	}
	return w
}

// uniqueRunes counts the different characters of s.
func uniqueRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// djangoSigner is ProvideSigner's case for LINK_SIGNATURE=django: Django's Signer
// keyed with SECRET_KEY as it is, trying SECRET_KEY_FALLBACKS after it.
func djangoSigner(cfg Config, log *slog.Logger, secret []byte, fallbacks [][]byte) link.Scheme {
	for _, w := range cfg.djangoKeyWarnings() {
		log.Warn(w)
	}
	return link.NewDjangoSigner(secret, cfg.Reset.OneTimeUse, fallbacks...)
}
