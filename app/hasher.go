package app

import (
	"log/slog"

	"github.com/pwreset/pwreset/adapters/django"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/ports"
)

// djangoSigner is ProvideSigner's case for LINK_SIGNATURE=django: Django's Signer
// keyed with SECRET_KEY as it is, trying SECRET_KEY_FALLBACKS after it.
func djangoSigner(cfg Config, log *slog.Logger, secret []byte, fallbacks [][]byte) link.Scheme {
	for _, w := range cfg.djangoKeyWarnings() {
		log.Warn(w)
	}
	return link.NewDjangoSigner(secret, cfg.OneTimeUse, fallbacks...)
}

// djangoHasher returns the hasher of a Django format PASSWORD_HASHER names, or nil
// for pwreset's own formats.
func djangoHasher(cfg Config) ports.PasswordHasher {
	switch cfg.PasswordHasher {
	case HasherDjangoPBKDF2:
		return django.NewPBKDF2Hasher(cfg.Django.PBKDF2Iterations)
	case HasherDjangoArgon2:
		return django.NewArgon2Hasher(cfg.djangoArgon2Params())
	case HasherDjangoBcryptSHA256:
		return django.NewBcryptSHA256Hasher(cfg.BcryptCost)
	}
	return nil
}
