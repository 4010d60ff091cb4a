package link_test

import (
	"testing"

	"github.com/pwreset/pwreset/domain/link"
)

// BenchmarkSigners signs and verifies one link with each scheme: pwreset's own
// (reusable and one-time) and django-rest-registration's.
func BenchmarkSigners(b *testing.B) {
	secret := []byte("a benchmark secret of thirty-two bytes or more")
	claims := link.Claims{UserID: "64b7f0c2e1d3a4b5c6d7e8f9", Timestamp: 1_700_000_000,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"}
	schemes := []struct {
		name string
		s    link.Scheme
	}{
		{"pwreset", link.NewSigner(secret, false)},
		{"pwreset-one-time", link.NewSigner(secret, true)},
		{"django", link.NewDjangoSigner(secret, false)},
	}
	for _, sc := range schemes {
		b.Run(sc.name+"/sign", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sc.s.Sign(claims)
			}
		})
		sig := sc.s.Sign(claims)
		b.Run(sc.name+"/verify", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !sc.s.Verify(claims, sig) {
					b.Fatal("a fresh signature does not verify")
				}
			}
		})
	}
}
