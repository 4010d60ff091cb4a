package django

import (
	"crypto/rand"
	"math/big"
)

// saltChars is Django's RANDOM_STRING_CHARS, from which its hashers draw salts.
const saltChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// saltLength is Django's: the fewest characters of saltChars that carry 128 bits.
const saltLength = 22

// newSalt returns a salt as Django's BasePasswordHasher.salt makes one.
func newSalt() string {
	b := make([]byte, saltLength)
	n := big.NewInt(int64(len(saltChars)))
	for i := range b {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			panic("crypto/rand failed: " + err.Error()) // it never returns an error on supported platforms
		}
		b[i] = saltChars[k.Int64()]
	}
	return string(b)
}
