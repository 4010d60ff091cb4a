package link_test

import (
	"testing"

	"github.com/pwreset/pwreset/domain/link"
)

// FuzzVerify feeds the verifier whatever a client can send: it never panics, accepts
// the genuine signature, and accepts nothing else for other claims.
func FuzzVerify(f *testing.F) {
	signer := link.NewSigner(key, true, other)
	genuine := signer.Sign(claims)
	f.Add(claims.UserID, claims.Timestamp, claims.PasswordHash, genuine)
	f.Add("", int64(0), "", "")
	f.Add("1", int64(-1), "x", "!!!")
	f.Add("65a1b2c3d4e5f60718293a4b", int64(1<<62), "", genuine+"=")
	f.Fuzz(func(t *testing.T, userID string, ts int64, hash, signature string) {
		c := link.Claims{UserID: userID, Timestamp: ts, PasswordHash: hash}
		ok := signer.Verify(c, signature)
		if ok && signature != signer.Sign(c) && signature != link.NewSigner(other, true).Sign(c) {
			t.Fatalf("accepted %q for %+v, which no key signed", signature, c)
		}
		if c != claims && signer.Verify(c, genuine) {
			t.Fatalf("the signature of %+v verifies for %+v", claims, c)
		}
		if !signer.Verify(c, signer.Sign(c)) {
			t.Fatalf("own signature of %+v does not verify", c)
		}
	})
}
