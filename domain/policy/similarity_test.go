package policy_test

import (
	"slices"
	"testing"

	"github.com/pwreset/pwreset/domain/policy"
)

// The expected verdicts follow from Django 3.2's UserAttributeSimilarityValidator and
// Python's difflib; the ratios in the comments are SequenceMatcher.quick_ratio values.
func TestCheckSimilarity(t *testing.T) {
	const (
		username = "The password is too similar to the username."
		email    = "The password is too similar to the email address."
	)
	user := func(name, mail string) []policy.Attribute {
		return []policy.Attribute{{Name: "username", Value: name}, {Name: "email address", Value: mail}}
	}
	tests := []struct {
		name     string
		password string
		attrs    []policy.Attribute
		want     string // "" when the password is not too similar
	}{
		{"username plus one character", "alice2024x", user("alice2024", ""), username}, // 18/19
		{"case is ignored", "ALICE2024X", user("Alice2024", ""), username},
		{"first similar attribute only", "alice2024x", user("alice2024", "alice2024@example.com"), username},
		{"attributes in the given order", "alice2024x", []policy.Attribute{
			{Name: "email address", Value: "alice2024@example.com"}, {Name: "username", Value: "alice2024"},
		}, email},
		// john 8/14, smith 10/15, example 2/17, com 4/13, whole address 18/32: none reaches 0.7.
		{"email words each too different", "johnsmith1", user("bob", "john.smith@example.com"), ""},
		{"email word", "smith1984", user("bob", "john.smith@example.com"), email}, // smith 10/14
		{"whole value only", "abcd!", user("ab.cd", ""), username},                // ab 4/7, whole 8/10
		{"short value, short password", "jo7", user("jo", ""), username},          // 4/5
		// 20 >= 10*2 and 2 < 0.35*20: Django skips the value (its ratio, 4/22, would not reach 0.7 anyway).
		{"short value, long password skipped", "jojojojojojojojojojo", user("jo", ""), ""},
		// Python's \W is Unicode-aware: "müller" is one word (12/17); an ASCII split would miss it.
		{"unicode word in email", "müller2024!", user("zm", "zoë.müller@example.com"), email},
		// Lengths count characters: 10/15 < 0.7, where counting UTF-8 bytes would give 20/25.
		{"unicode counted in characters", "σοφια12345", user("σοφια", ""), ""},
		{"unicode lowercased", "ΣΟΦΙΑ1234", user("σοφια", ""), username}, // 10/14
		{"unrelated", "qz8#vl3!wp", user("alice", "alice@example.com"), ""},
		{"no attributes", "alice2024x", nil, ""},
		// Django skips empty values; were "" compared, its split [""] would match "" (ratio 1).
		{"empty value skipped", "", user("", ""), ""},
		// re.split gives ["", "alice"] for "@alice", and quick_ratio("", "") is 1.
		{"empty password vs empty word", "", user("@alice", ""), username},
		{"empty word vs password", "qz8#vl3!wp", user("@alice", ""), ""}, // "" is skipped by the length ratio
	}
	p := policy.New(0)
	tests = append(tests, nameCases...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if got := p.Check(tt.password, tt.attrs); !slices.Equal(got, want) {
				t.Errorf("Check(%q, %v) = %q, want %q", tt.password, tt.attrs, got, want)
			}
		})
	}
}

// nameCases are Django 3.2.25's verdicts (adapters/django/djangotest's
// TestPolicyMatchesDjango asks Django for them, and for seeded variations) over an
// auth.User with username, first_name, last_name and email, in Django's order.
var nameCases = func() []struct {
	name     string
	password string
	attrs    []policy.Attribute
	want     string
} {
	user := func(username, first, last, email string) []policy.Attribute {
		return []policy.Attribute{{Name: "username", Value: username}, {Name: "first name", Value: first},
			{Name: "last name", Value: last}, {Name: "email address", Value: email}}
	}
	const (
		username = "The password is too similar to the username."
		first    = "The password is too similar to the first name."
		last     = "The password is too similar to the last name."
		email    = "The password is too similar to the email address."
	)
	kathrin := user("kathrin.o", "Kathrin", "Oberhauser", "kathrin@example.com")
	return []struct {
		name     string
		password string
		attrs    []policy.Attribute
		want     string
	}{
		{"last name (issue 20)", "Oberhauser", kathrin, last},
		// "kathrin.o" splits into "kathrin" (14/18): the username comes first.
		{"first name, username first", "Kathrin1984", kathrin, username},
		{"first name with a year", "Kathrin1984", user("zz", "Kathrin", "", ""), first}, // 14/18
		{"first before last", "oberhauser", user("x", "Oberhauser", "Oberhauser", ""), first},
		// quick_ratio counts characters: márquez and marquez share 6 of 7 (12/16).
		{"word of a compound last name", "marquez99", user("x", "Maria", "García-Márquez", ""), last},
		{"word of a first name", "JOSÉ20", user("x", "Maria José", "", ""), first},          // 8/10
		{"word of a first name, too long", "JOSÉ2024", user("x", "Maria José", "", ""), ""}, // 8/12
		{"hyphenated first name whole", "jeanluc!", user("x", "Jean-Luc", "", ""), first},
		{"names unrelated", "unrelated-phrase-42", user("x", "Ann", "Lee", ""), ""},
		{"empty names skipped", "", user("x", "", "", ""), ""},
		{"email after names", "kathrin@example", user("k", "", "", "kathrin@example.com"), email},
	}
}()
