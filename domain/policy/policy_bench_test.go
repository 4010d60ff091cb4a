package policy_test

import (
	"testing"

	"github.com/pwreset/pwreset/domain/policy"
)

// BenchmarkPolicy runs Django's four validators on a password that passes them all
// and on one that fails several, with a user's usual attributes.
func BenchmarkPolicy(b *testing.B) {
	p := policy.New(policy.DefaultMinLength)
	attrs := []policy.Attribute{{Name: "username", Value: "alice.smith"},
		{Name: "email address", Value: "alice.smith@example.com"}}
	p.Check("warm-up", nil) // the common-password list is decompressed on first use
	for _, c := range []struct{ name, password string }{
		{"accepted", "blue-Heron-42-lantern"},
		{"refused", "alicesmith"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Check(c.password, attrs)
			}
		})
	}
}
