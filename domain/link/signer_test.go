package link_test

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/domain/link"
)

var (
	key    = []byte("0123456789abcdef0123456789abcdef")
	other  = []byte("fedcba9876543210fedcba9876543210")
	claims = link.Claims{UserID: "65a1b2c3d4e5f60718293a4b", Timestamp: 1764100000, PasswordHash: "$argon2id$v=19$x"}
)

func TestSignatureFormat(t *testing.T) {
	sig := link.NewSigner(key, false).Sign(claims)
	if len(sig) != 43 || strings.ContainsAny(sig, "+/=") {
		t.Fatalf("signature %q is not unpadded base64url of 32 bytes", sig)
	}
}

func TestVerify(t *testing.T) {
	signer := link.NewSigner(key, false)
	sig := signer.Sign(claims)
	cases := []struct {
		name   string
		claims link.Claims
		sig    string
		want   bool
	}{
		{"genuine", claims, sig, true},
		{"hash is not signed without one-time use", link.Claims{UserID: claims.UserID, Timestamp: claims.Timestamp, PasswordHash: "changed"}, sig, true},
		{"other user", link.Claims{UserID: "65a1b2c3d4e5f60718293a4c", Timestamp: claims.Timestamp}, sig, false},
		{"other timestamp", link.Claims{UserID: claims.UserID, Timestamp: claims.Timestamp + 1}, sig, false},
		{"tampered signature", claims, flip(sig), false},
		{"truncated signature", claims, sig[:42], false},
		{"padded signature", claims, sig + "=", false},
		{"empty signature", claims, "", false},
		{"not base64", claims, "!!!!", false},
		{"line break inside", claims, sig[:20] + "\n" + sig[20:], false},
		{"carriage return inside", claims, sig[:20] + "\r" + sig[20:], false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := signer.Verify(c.claims, c.sig); got != c.want {
				t.Fatalf("Verify = %v, want %v", got, c.want)
			}
		})
	}
}

// TestSignatureHasOneSpelling checks that the last character's unused bits count: 43
// characters carry 258 bits for 256, so four spellings of the last one decode alike
// unless decoding is strict.
func TestSignatureHasOneSpelling(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	signer := link.NewSigner(key, false)
	sig := signer.Sign(claims)
	last := strings.IndexByte(alphabet, sig[len(sig)-1])
	for spare := 1; spare < 4; spare++ {
		other := sig[:len(sig)-1] + string(alphabet[last|spare])
		if signer.Verify(claims, other) {
			t.Errorf("%q verifies as well as %q", other, sig)
		}
	}
	if !signer.Verify(claims, sig) {
		t.Errorf("the genuine signature %q does not verify", sig)
	}
}

func TestFieldsAreUnambiguous(t *testing.T) {
	signer := link.NewSigner(key, false)
	a := signer.Sign(link.Claims{UserID: "1", Timestamp: 23})
	b := signer.Sign(link.Claims{UserID: "12", Timestamp: 3})
	if a == b {
		t.Fatal("user 1 at 23 and user 12 at 3 share a signature")
	}
}

func TestOneTimeSignatureCoversThePasswordHash(t *testing.T) {
	signer := link.NewSigner(key, true)
	sig := signer.Sign(claims)
	if !signer.Verify(claims, sig) {
		t.Fatal("genuine one-time link does not verify")
	}
	changed := claims
	changed.PasswordHash = "$argon2id$v=19$y"
	if signer.Verify(changed, sig) {
		t.Fatal("one-time link still verifies after the password changed")
	}
	if link.NewSigner(key, false).Verify(claims, sig) {
		t.Fatal("a one-time signature verifies as a reusable one")
	}
}

func TestKeyRotation(t *testing.T) {
	oldSig := link.NewSigner(other, false).Sign(claims)
	rotated := link.NewSigner(key, false, other)
	if !rotated.Verify(claims, oldSig) {
		t.Fatal("a link signed with a fallback key does not verify")
	}
	if rotated.Sign(claims) != link.NewSigner(key, false).Sign(claims) {
		t.Fatal("new links are not signed with the current key")
	}
	if link.NewSigner(key, false).Verify(claims, oldSig) {
		t.Fatal("a link signed with a key that is not listed verifies")
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func BenchmarkVerify(b *testing.B) {
	signer := link.NewSigner(key, true)
	sig := signer.Sign(claims)
	for b.Loop() {
		signer.Verify(claims, sig)
	}
}
