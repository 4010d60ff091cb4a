package link

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
)

// djangoSalt is django-rest-registration's salt of reset-password signatures.
const djangoSalt = "reset-password"

// DjangoSigner makes and checks link signatures exactly as django-rest-registration
// does with Django's Signer, so that links a Django back end issued work here and the
// other way round (LINK_SIGNATURE=django).
//
// The signed value is pickle.dumps(sorted((str(k), str(v)) for k, v in data.items()), 4)
// of the link's user_id and timestamp. The salt is "reset-password", or
// "reset-password:<stored password hash>" for one-time links. The signature is
// Django's salted HMAC: HMAC-SHA256 keyed with SHA-256(salt + "signer" + secret),
// in URL-safe base64 without padding.
type DjangoSigner struct {
	secrets [][]byte // secrets[0] signs; all of them verify, as SECRET_KEY_FALLBACKS do
	oneTime bool
}

// NewDjangoSigner returns a signer that signs with secret (Django's SECRET_KEY) and
// also accepts signatures made with any of fallbacks (SECRET_KEY_FALLBACKS). With
// oneTime, the salt holds the user's stored password hash, as
// RESET_PASSWORD_VERIFICATION_ONE_TIME_USE makes django-rest-registration do.
func NewDjangoSigner(secret []byte, oneTime bool, fallbacks ...[]byte) *DjangoSigner {
	return &DjangoSigner{secrets: append([][]byte{secret}, fallbacks...), oneTime: oneTime}
}

// Sign returns the signature of c with the current secret.
func (s *DjangoSigner) Sign(c Claims) string {
	return s.signature(s.secrets[0], c)
}

// Verify reports whether signature is the one Django computes for c with SECRET_KEY
// or one of its fallbacks. Like Django, it compares the text of the signature, so
// a padded or otherwise re-encoded one is not valid.
func (s *DjangoSigner) Verify(c Claims, signature string) bool {
	valid := 0
	for _, secret := range s.secrets {
		// Every secret is tried even after a match, so timing does not say which one signed.
		valid |= subtle.ConstantTimeCompare([]byte(signature), []byte(s.signature(secret, c)))
	}
	return valid == 1
}

// signature is Signer(key=secret, salt=salt).signature(value) over the link data.
func (s *DjangoSigner) signature(secret []byte, c Claims) string {
	salt := djangoSalt
	if s.oneTime {
		salt += ":" + c.PasswordHash
	}
	// django.utils.crypto.salted_hmac with key_salt = salt + "signer".
	key := sha256.New()
	key.Write([]byte(salt + "signer"))
	key.Write(secret)
	mac := hmac.New(sha256.New, key.Sum(nil))
	mac.Write(DjangoValue(c))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// DjangoValue returns the bytes django-rest-registration signs for c: the pickle of
// the sorted (name, text) pairs of timestamp and user_id.
func DjangoValue(c Claims) []byte {
	return picklePairs([][2]string{
		{"timestamp", strconv.FormatInt(c.Timestamp, 10)},
		{"user_id", c.UserID},
	})
}
