package djangotest_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/django/djangotest"
	"github.com/pwreset/pwreset/domain/link"
)

const (
	secret    = "django-insecure-short key" // Django takes any string; under 50 characters on purpose
	oldSecret = "the key before the rotation, of no particular length"
)

var storedHash = "pbkdf2_sha256$1000000$salt$aGFzaA=="

// TestDjangoSignsPwresetVerifies: a link django-rest-registration signed verifies in
// pwreset, plain and one-time, with SECRET_KEY and with a fallback key; and nothing
// else does.
func TestDjangoSignsPwresetVerifies(t *testing.T) {
	django := djangotest.Start(t)
	c := link.Claims{UserID: "65a1b2c3d4e5f60718293a4b", Timestamp: 1764100000, PasswordHash: storedHash}
	sign := func(key string, oneTime bool) djangotest.Request {
		r := djangotest.Request{Op: "sign", Secret: key, UserID: c.UserID, Timestamp: c.Timestamp}
		if oneTime {
			r.PasswordHash = &c.PasswordHash
		}
		return r
	}
	a := django.Ask(t, sign(secret, false), sign(secret, true), sign(oldSecret, false), sign(oldSecret, true))
	plain, oneTime, oldPlain, oldOneTime := a[0].Signature, a[1].Signature, a[2].Signature, a[3].Signature

	rotated := link.NewDjangoSigner([]byte(secret), false, []byte(oldSecret))
	rotatedOneTime := link.NewDjangoSigner([]byte(secret), true, []byte(oldSecret))
	changed := c
	changed.PasswordHash = "pbkdf2_sha256$1000000$salt$b3RoZXI="
	other := c
	other.Timestamp++
	cases := []struct {
		name   string
		signer *link.DjangoSigner
		claims link.Claims
		sig    string
		want   bool
	}{
		{"plain", link.NewDjangoSigner([]byte(secret), false), c, plain, true},
		{"plain, password changed since", link.NewDjangoSigner([]byte(secret), false), changed, plain, true},
		{"one-time", link.NewDjangoSigner([]byte(secret), true), c, oneTime, true},
		{"one-time, password changed since", link.NewDjangoSigner([]byte(secret), true), changed, oneTime, false},
		{"one-time signature as plain", link.NewDjangoSigner([]byte(secret), false), c, oneTime, false},
		{"plain signature as one-time", link.NewDjangoSigner([]byte(secret), true), c, plain, false},
		{"fallback key", rotated, c, oldPlain, true},
		{"fallback key, one-time", rotatedOneTime, c, oldOneTime, true},
		{"key no longer listed", link.NewDjangoSigner([]byte(secret), false), c, oldPlain, false},
		{"other timestamp", rotated, other, plain, false},
		{"padded", rotated, c, plain + "=", false},
		{"standard base64", rotated, c, "+" + plain[1:], false},
		{"pwreset's own format", rotated, c, link.NewSigner([]byte(secret), false).Sign(c), false},
		{"empty", rotated, c, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.signer.Verify(tc.claims, tc.sig); got != tc.want {
				t.Fatalf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPwresetSignsDjangoVerifies: a link pwreset signed verifies in Django, plain and
// one-time, also where pwreset's key is one of Django's fallbacks.
func TestPwresetSignsDjangoVerifies(t *testing.T) {
	django := djangotest.Start(t)
	var reqs []djangotest.Request
	var want []bool
	for _, id := range []string{"65a1b2c3d4e5f60718293a4b", "7", "Łódź", ""} {
		for _, oneTime := range []bool{false, true} {
			c := link.Claims{UserID: id, Timestamp: 1764100000, PasswordHash: storedHash}
			sig := link.NewDjangoSigner([]byte(secret), oneTime).Sign(c)
			verify := func(key string, fallbacks []string, hash *string, ok bool) {
				reqs = append(reqs, djangotest.Request{Op: "verify", Secret: key, Fallbacks: fallbacks,
					UserID: c.UserID, Timestamp: c.Timestamp, PasswordHash: hash, Signature: sig})
				want = append(want, ok)
			}
			var hash, changed *string
			if oneTime {
				other := storedHash + "x"
				hash, changed = &c.PasswordHash, &other
			}
			verify(secret, nil, hash, true)                        // same SECRET_KEY
			verify("a new key", []string{"x", secret}, hash, true) // pwreset's key among Django's fallbacks
			verify("a new key", nil, hash, false)                  // a key Django does not know
			if oneTime {
				verify(secret, nil, changed, false) // the password changed since
			}
		}
	}
	for i, a := range django.Ask(t, reqs...) {
		if a.Valid != want[i] {
			t.Errorf("Django says %v, want %v, for %+v", a.Valid, want[i], reqs[i])
		}
	}
}
