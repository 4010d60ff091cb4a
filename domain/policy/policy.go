// Package policy checks new passwords against Django's four default validators,
// with Django's exact messages.
package policy

// Attribute is a user attribute that a password must not resemble.
type Attribute struct {
	// Name is how messages call it: "username", "email address".
	Name  string
	Value string
}

// DefaultMinLength is Django's default minimum password length.
const DefaultMinLength = 8

// Policy is the password policy. The zero value is not usable; call New.
type Policy struct {
	minLength int
}

// New returns the policy with the given minimum length (in characters).
func New(minLength int) *Policy {
	return &Policy{minLength: minLength}
}

// Check returns every message that applies to password, in Django's order:
// similarity, length, common, numeric. An empty result means the password is acceptable.
func (p *Policy) Check(password string, attrs []Attribute) []string {
	return nil // TODO(helper): implement
}
