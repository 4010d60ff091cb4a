package link_test

import (
	"encoding/hex"
	"testing"

	"github.com/pwreset/pwreset/domain/link"
)

// Vectors Django 3.2 computed (adapters/django/djangotest checks any number of
// others against the Django installed): pickle.dumps(sorted(...), 4) of the claims
// below, and Signer(key=djangoKey, salt=...).signature of it.
const (
	djangoKey       = "django-insecure-k3y"
	djangoPickle    = "80049547000000000000005d94288c0974696d657374616d70948c0a313736343130303030309486948c07757365725f6964948c18363561316232633364346535663630373138323933613462948694652e"
	djangoPlain     = "VKiY-yInKoGHgjRNAUcAYebJhNZ_E2DFUX-v8b3JTRw"
	djangoOneTime   = "K96smK4GMONWgjuc0vVH7g3gqlIZ08Z9UyBV62sFy6w"
	djangoStoreHash = "pbkdf2_sha256$1000000$salt$aGFzaA=="
)

var djangoClaims = link.Claims{UserID: "65a1b2c3d4e5f60718293a4b", Timestamp: 1764100000, PasswordHash: djangoStoreHash}

func TestDjangoVectors(t *testing.T) {
	if got := hex.EncodeToString(link.DjangoValue(djangoClaims)); got != djangoPickle {
		t.Errorf("DjangoValue = %s\nwant          %s", got, djangoPickle)
	}
	if got := link.NewDjangoSigner([]byte(djangoKey), false).Sign(djangoClaims); got != djangoPlain {
		t.Errorf("plain signature %s, Django's %s", got, djangoPlain)
	}
	if got := link.NewDjangoSigner([]byte(djangoKey), true).Sign(djangoClaims); got != djangoOneTime {
		t.Errorf("one-time signature %s, Django's %s", got, djangoOneTime)
	}
}

func TestDjangoVerify(t *testing.T) {
	rotated := link.NewDjangoSigner([]byte("the new key"), true, []byte("an older key"), []byte(djangoKey))
	changed := djangoClaims
	changed.PasswordHash = "pbkdf2_sha256$1000000$salt$b3RoZXI="
	later := djangoClaims
	later.Timestamp++
	cases := []struct {
		name   string
		claims link.Claims
		sig    string
		want   bool
	}{
		{"signed with the last fallback", djangoClaims, djangoOneTime, true},
		{"password changed since", changed, djangoOneTime, false},
		{"plain signature", djangoClaims, djangoPlain, false},
		{"other timestamp", later, djangoOneTime, false},
		{"padded", djangoClaims, djangoOneTime + "=", false},
		{"truncated", djangoClaims, djangoOneTime[:42], false},
		{"tampered", djangoClaims, flip(djangoOneTime), false},
		{"empty", djangoClaims, "", false},
		{"not base64", djangoClaims, "!!!!", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rotated.Verify(c.claims, c.sig); got != c.want {
				t.Fatalf("Verify = %v, want %v", got, c.want)
			}
		})
	}
	if sig := rotated.Sign(djangoClaims); sig == djangoOneTime || !link.NewDjangoSigner([]byte("the new key"), true).Verify(djangoClaims, sig) {
		t.Error("new links are not signed with the current key")
	}
}

func BenchmarkDjangoVerify(b *testing.B) {
	signer := link.NewDjangoSigner([]byte(djangoKey), true)
	for b.Loop() {
		signer.Verify(djangoClaims, djangoOneTime)
	}
}

// FuzzDjangoVerify: whatever a client sends, the Django verifier never panics and
// accepts only what one of its keys signed.
func FuzzDjangoVerify(f *testing.F) {
	signer := link.NewDjangoSigner([]byte(djangoKey), true, []byte("fallback"))
	f.Add(djangoClaims.UserID, djangoClaims.Timestamp, djangoClaims.PasswordHash, djangoOneTime)
	f.Add("", int64(0), "", "")
	f.Add("Łódź", int64(-1), "!unusable", djangoOneTime+"=")
	f.Fuzz(func(t *testing.T, userID string, ts int64, hash, signature string) {
		c := link.Claims{UserID: userID, Timestamp: ts, PasswordHash: hash}
		ok := signer.Verify(c, signature)
		if ok && signature != signer.Sign(c) && signature != link.NewDjangoSigner([]byte("fallback"), true).Sign(c) {
			t.Fatalf("accepted %q for %+v, which no key signed", signature, c)
		}
		if !signer.Verify(c, signer.Sign(c)) {
			t.Fatalf("own signature of %+v does not verify", c)
		}
	})
}
