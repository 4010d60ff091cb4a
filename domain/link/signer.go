package link

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
)

// Claims is what a link's signature vouches for.
type Claims struct {
	UserID    string
	Timestamp int64 // Unix seconds at issuance
	// PasswordHash is the user's hash at issuance. It is signed only by a one-time
	// signer, so that a link dies as soon as the password changes.
	PasswordHash string
}

// Signer makes and checks link signatures: unpadded base64url HMAC-SHA256.
type Signer struct {
	keys    [][]byte // keys[0] signs; all of them verify
	oneTime bool
}

// keyPurpose separates the keys derived here from any other use of SECRET_KEY.
const keyPurpose = "pwreset.link.signer.v1"

// NewSigner returns a signer keyed from secret. Links signed with any of the fallback
// secrets still verify, so that a secret can be rotated without breaking links in flight.
// With oneTime, the signature also covers the user's password hash.
func NewSigner(secret []byte, oneTime bool, fallbacks ...[]byte) *Signer {
	s := &Signer{oneTime: oneTime}
	for _, k := range append([][]byte{secret}, fallbacks...) {
		s.keys = append(s.keys, deriveKey(k))
	}
	return s
}

// deriveKey keys an HMAC for this purpose alone, as Django's salted_hmac does.
func deriveKey(secret []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(keyPurpose))
	return mac.Sum(nil)
}

// Sign returns the signature of c with the current key.
func (s *Signer) Sign(c Claims) string {
	return encoding.EncodeToString(s.mac(s.keys[0], c))
}

// encoding is unpadded base64url, decoded strictly: the unused low bits of the last
// character must be zero, so that each signature has one spelling only.
var encoding = base64.RawURLEncoding.Strict()

// decode reads a signature in its one spelling. Go's decoder skips line breaks even
// when strict, so they are refused here.
func decode(signature string) ([]byte, error) {
	if strings.ContainsAny(signature, "\r\n") {
		return nil, errors.New("line break in signature")
	}
	return encoding.DecodeString(signature)
}

// Verify reports whether signature is valid for c under any key, in constant time.
func (s *Signer) Verify(c Claims, signature string) bool {
	got, err := decode(signature)
	ok := err == nil
	valid := false
	for _, k := range s.keys {
		// Every key is tried even after a match, so timing does not say which key signed.
		if hmac.Equal(got, s.mac(k, c)) {
			valid = true
		}
	}
	return ok && valid
}

// mac computes the HMAC over a length-prefixed encoding, so that no two different
// claims encode alike ("1"+"23" and "12"+"3" differ).
func (s *Signer) mac(key []byte, c Claims) []byte {
	purpose := "reset-password"
	fields := []string{purpose, c.UserID, strconv.FormatInt(c.Timestamp, 10)}
	if s.oneTime {
		fields[0] = "reset-password/one-time"
		fields = append(fields, c.PasswordHash)
	}
	mac := hmac.New(sha256.New, key)
	var n [8]byte
	for _, f := range fields {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		mac.Write(n[:])
		mac.Write([]byte(f))
	}
	return mac.Sum(nil)
}
