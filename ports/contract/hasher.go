package contract

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/ports"
)

// TestPasswordHasher runs the PasswordHasher contract against h: a hash verifies its
// password and no other, two hashes of one password differ (salts), and a malformed
// hash is an error, not a match.
func TestPasswordHasher(t *testing.T, h ports.PasswordHasher) {
	cases := []struct {
		name, password, other string
	}{
		{"ascii", "correct horse battery staple", "correct horse battery stapl"},
		{"utf-8", "pässwörd", "passwörd"},
		{"empty", "", " "},
		{"72 bytes", strings.Repeat("x", 72), strings.Repeat("x", 71)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hash, err := h.Hash(c.password)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if ok, err := h.Verify(hash, c.password); !ok || err != nil {
				t.Errorf("Verify(right password) = %v, %v; want true, nil", ok, err)
			}
			if ok, err := h.Verify(hash, c.other); ok || err != nil {
				t.Errorf("Verify(%q) = %v, %v; want false, nil", c.other, ok, err)
			}
		})
	}
	t.Run("salted", func(t *testing.T) {
		a, _ := h.Hash("same")
		b, _ := h.Hash("same")
		if a == b {
			t.Errorf("two hashes of one password are equal: %s", a)
		}
	})
	t.Run("malformed hash", func(t *testing.T) {
		for _, bad := range []string{"", "plain text", "$argon2id$v=19$broken", "$2a$04$short"} {
			if ok, err := h.Verify(bad, "x"); ok || err == nil {
				t.Errorf("Verify(%q) = %v, %v; want false and an error", bad, ok, err)
			}
		}
	})
}
