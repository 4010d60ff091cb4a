package app

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pwreset/pwreset/adapters/bcrypt"
	"github.com/pwreset/pwreset/adapters/django"
)

// DjangoSettings make pwreset a drop-in for a Django back end: its link signatures
// and password hash formats, and the shape of its user collection.
type DjangoSettings struct {
	// UserSchema names a set of defaults for a known user store (see schemaDefaults).
	UserSchema string `env:"USER_SCHEMA"`
	// LinkSignature is "pwreset" (the default) or "django" (django-rest-registration's).
	LinkSignature    string `env:"LINK_SIGNATURE" envDefault:"pwreset"`
	PBKDF2Iterations int    `env:"DJANGO_PBKDF2_ITERATIONS" envDefault:"1000000"`
	// Argon2's costs take Django's names: the Go names must differ from ARGON2_*'s,
	// which configuration errors look variables up by.
	MemoryCost  uint32 `env:"DJANGO_ARGON2_MEMORY_KIB" envDefault:"102400"`
	TimeCost    uint32 `env:"DJANGO_ARGON2_ITERATIONS" envDefault:"2"`
	Parallelism uint8  `env:"DJANGO_ARGON2_PARALLELISM" envDefault:"8"`
}

// schemaDefaults holds, for each USER_SCHEMA, the value it gives each variable the
// operator did not set. Other user stores add their variables to a schema here
// (PostgreSQL: its table and id column for django).
var schemaDefaults = map[string]map[string]string{
	"django": {
		"USERS_COLLECTION":               "auth_user",
		"USER_LOGIN_FIELDS":              "username",
		"USER_EMAIL_FIELD":               "email",
		"USER_VERIFICATION_ID_FIELD":     "_id",
		"USER_PASSWORD_FIELD":            "password",
		"USER_PASSWORD_CHANGED_AT_FIELD": "off", // Django ends other sessions by its session hash
		"USER_FIRST_NAME_FIELD":          "first_name",
		"USER_LAST_NAME_FIELD":           "last_name",
		"USER_ACTIVE_FIELD":              "is_active",
		"PASSWORD_HASHER":                "django_pbkdf2_sha256",
		"LINK_SIGNATURE":                 "django",
	},
}

// Hasher names of Django's formats (PASSWORD_HASHER).
const (
	HasherDjangoPBKDF2       = "django_pbkdf2_sha256"
	HasherDjangoArgon2       = "django_argon2"
	HasherDjangoBcryptSHA256 = "django_bcrypt_sha256"
)

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

// applySchema adds to vars the defaults of the USER_SCHEMA it names, for every
// variable the operator did not set. Empty counts as not set, as it does for every
// other default.
func applySchema(vars map[string]string) {
	for k, v := range schemaDefaults[vars["USER_SCHEMA"]] {
		if vars[k] == "" {
			vars[k] = v
		}
	}
}

// DjangoLinks reports whether links are signed as django-rest-registration signs them.
func (c Config) DjangoLinks() bool { return c.Django.LinkSignature == "django" }

// djangoProblems checks the Django settings and the SECRET_KEY rules of the chosen
// link signature.
func (c Config) djangoProblems() []error {
	var p []error
	add := func(format string, args ...any) { p = append(p, fmt.Errorf(format, args...)) }
	if s := c.Django.UserSchema; s != "" && schemaDefaults[s] == nil {
		add("USER_SCHEMA %q is not supported: use django, or leave it unset", s)
	}
	switch c.Django.LinkSignature {
	case "django":
		// Django takes any non-empty SECRET_KEY: the same key must work here.
		if c.SecretKey == "" && !c.Demo() {
			add("SECRET_KEY is required: set it to the SECRET_KEY of the Django back end")
		}
		if c.SecretKey != "" {
			p = append(p, djangoKeyProblem("SECRET_KEY", c.SecretKey)...)
		}
		for i, k := range c.SecretKeyFallbacks {
			name := fmt.Sprintf("SECRET_KEY_FALLBACKS entry %d", i+1)
			if k == "" { // a stray comma
				add("%s is empty: remove the stray comma", name)
				continue
			}
			p = append(p, djangoKeyProblem(name, k)...)
		}
	case "pwreset":
		p = append(p, c.secretKeyProblems()...)
	default:
		add("LINK_SIGNATURE %q is not supported: use pwreset (the default) or django", c.Django.LinkSignature)
	}
	switch c.PasswordHasher {
	case HasherDjangoPBKDF2:
		if err := django.ValidatePBKDF2Iterations(c.Django.PBKDF2Iterations); err != nil {
			p = append(p, err)
		}
	case HasherDjangoArgon2:
		p = append(p, Problems(c.djangoArgon2Params().Validate())...)
	case HasherDjangoBcryptSHA256:
		if err := bcrypt.ValidateCost(c.BcryptCost); err != nil {
			p = append(p, err)
		}
	}
	return p
}

// secretKeyProblems are pwreset's own rules for SECRET_KEY: 256 bits for HMAC-SHA256.
func (c Config) secretKeyProblems() []error {
	var p []error
	add := func(format string, args ...any) { p = append(p, fmt.Errorf(format, args...)) }
	switch {
	case c.SecretKey == "" && !c.Demo():
		add("SECRET_KEY is required: set it to a random string of at least %d bytes (openssl rand -base64 48)", MinSecretKeyBytes)
	case c.SecretKey != "" && len(c.SecretKey) < MinSecretKeyBytes:
		add("SECRET_KEY is %d bytes long; it must be at least %d (openssl rand -base64 48)", len(c.SecretKey), MinSecretKeyBytes)
	}
	for i, k := range c.SecretKeyFallbacks {
		if len(k) < MinSecretKeyBytes {
			add("SECRET_KEY_FALLBACKS entry %d is shorter than %d bytes", i+1, MinSecretKeyBytes)
		}
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
	keys := append([]string{c.SecretKey}, c.SecretKeyFallbacks...)
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

func (c Config) djangoArgon2Params() django.Argon2Params {
	d := c.Django
	return django.Argon2Params{Memory: d.MemoryCost, Iterations: d.TimeCost, Parallelism: d.Parallelism}
}

// hasherNames are the values PASSWORD_HASHER takes.
var hasherNames = []string{"argon2id", "bcrypt", HasherDjangoPBKDF2, HasherDjangoArgon2, HasherDjangoBcryptSHA256}

func hasherProblem(name string) error {
	if slices.Contains(hasherNames, name) {
		return nil
	}
	return fmt.Errorf("PASSWORD_HASHER %q is not supported: use %s", name, strings.Join(hasherNames, ", "))
}
