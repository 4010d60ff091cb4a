package policy_test

import (
	"slices"
	"testing"

	"github.com/pwreset/pwreset/domain/policy"
)

const (
	similar  = "The password is too similar to the username."
	short8   = "This password is too short. It must contain at least 8 characters."
	common   = "This password is too common."
	numeric  = "This password is entirely numeric."
	goodWord = "correct-horse-battery-staple-91"
)

func TestCheck(t *testing.T) {
	alice := []policy.Attribute{{Name: "username", Value: "alice"}, {Name: "email address", Value: "alice@example.com"}}
	tests := []struct {
		name      string
		minLength int
		password  string
		attrs     []policy.Attribute
		want      []string
	}{
		{"good password", 8, goodWord, alice, nil},

		{"one short of the default", 8, "qz8#vl3", nil, []string{short8}},
		{"exactly the default", 8, "qz8#vl3!", nil, nil},
		{"configured length", 12, "elevenchars", nil,
			[]string{"This password is too short. It must contain at least 12 characters."}},
		{"singular for one", 1, "", nil, []string{"This password is too short. It must contain at least 1 character."}},
		{"no minimum", 0, "", nil, nil},
		// Python's len counts characters: 7 of them, in 14 bytes.
		{"characters, not bytes", 8, "ééééééé", nil, []string{short8}},
		{"eight characters", 8, "éééééééé", nil, nil},

		{"common", 0, "creative", nil, []string{common}},
		{"common with digits", 0, "password123", nil, []string{common}},
		{"common in capitals", 0, "Password123", nil, []string{common}},
		{"common stripped", 0, " creative ", nil, []string{common}},
		// Python's strip also removes U+001C–U+001F and U+2028.
		{"common stripped as Python does", 0, "\x1cCREATIVE\u2028", nil, []string{common}},
		{"inner space kept", 0, "z k.lovemom", nil, []string{common}},
		{"not common", 0, "crea tive", nil, nil},

		{"numeric", 0, "91374620584", nil, []string{numeric}},
		{"numeric and common", 0, "12345678", nil, []string{common, numeric}},
		{"arabic-indic digits", 0, "٣٤٥٦٧٨٩٠", nil, []string{numeric}},
		// str.isdigit accepts superscript and circled digits, which are not in category Nd.
		{"superscript and circled digits", 0, "²³¹⁴①②", nil, []string{numeric}},
		{"fractions are not digits", 0, "½½½½", nil, nil},
		{"one letter", 0, "9137462058z", nil, nil},
		{"space inside", 0, "9137 462058", nil, nil},
		{"empty is not numeric", 0, "", nil, nil},

		{"all four in Django's order", 8, "1234", []policy.Attribute{{Name: "username", Value: "1234"}},
			[]string{similar, short8, common, numeric}},
		{"similar and common", 8, "Alice123", alice, []string{similar, common}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.New(tt.minLength).Check(tt.password, tt.attrs); !slices.Equal(got, tt.want) {
				t.Errorf("New(%d).Check(%q) = %q, want %q", tt.minLength, tt.password, got, tt.want)
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	p := policy.New(policy.DefaultMinLength)
	attrs := []policy.Attribute{
		{Name: "username", Value: "alice.liddell"},
		{Name: "email address", Value: "alice.liddell@example.com"},
	}
	p.Check("warm-up", nil) // Keep the one-time list decompression out of the timing.
	for b.Loop() {
		p.Check(goodWord, attrs)
	}
}
