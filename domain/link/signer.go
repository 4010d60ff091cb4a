package link

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"strconv"
	"strings"
	"sync"
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
	// macs[i] holds HMACs keyed with keys[i], reused: keying one costs two hashes.
	macs []sync.Pool
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
	s.macs = make([]sync.Pool, len(s.keys))
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
	sum := s.mac(0, c)
	return encoding.EncodeToString(sum[:])
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
	for i := range s.keys {
		// Every key is tried even after a match, so timing does not say which key signed.
		if sum := s.mac(i, c); hmac.Equal(got, sum[:]) {
			valid = true
		}
	}
	return ok && valid
}

// mac computes the HMAC with keys[key] over a length-prefixed encoding, so that no
// two different claims encode alike ("1"+"23" and "12"+"3" differ).
func (s *Signer) mac(key int, c Claims) [sha256.Size]byte {
	m, _ := s.macs[key].Get().(*keyedMAC)
	if m == nil {
		m = &keyedMAC{mac: hmac.New(sha256.New, s.keys[key])}
	}
	defer s.macs[key].Put(m)
	purpose := "reset-password"
	if s.oneTime {
		purpose = "reset-password/one-time"
	}
	b := appendField(m.buf[:0], purpose)
	b = appendField(b, c.UserID)
	var ts [20]byte
	b = appendField(b, string(strconv.AppendInt(ts[:0], c.Timestamp, 10)))
	if s.oneTime {
		b = appendField(b, c.PasswordHash)
	}
	m.buf = b
	m.mac.Reset()
	m.mac.Write(b)
	var sum [sha256.Size]byte
	m.mac.Sum(sum[:0])
	return sum
}

// keyedMAC is an HMAC keyed with one of a Signer's keys, and the buffer its input is
// encoded into: both are reused, as the mac's Write would copy every field anyway.
type keyedMAC struct {
	mac hash.Hash
	buf []byte
}

// appendField appends f to b after its length.
func appendField(b []byte, f string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
	return append(b, f...)
}
