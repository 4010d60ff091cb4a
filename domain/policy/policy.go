// Package policy checks new passwords against Django's four default validators,
// with Django's exact messages. Its common-password list is Django's own extended
// with zxcvbn's, so it rejects some passwords that Django accepts.
package policy

import (
	"fmt"
	"unicode/utf8"
)

// Attribute is a user attribute that a password must not resemble.
type Attribute struct {
	// Name is how messages call it: "username", "email address".
	Name string
	// Value is the user's value; an empty value is skipped, as Django skips it.
	Value string
}

// Messages of Django's CommonPasswordValidator and NumericPasswordValidator; the
// hosted reset page translates them.
const (
	MsgTooCommon = "This password is too common."
	MsgNumeric   = "This password is entirely numeric."
)

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
// Attributes are compared in the order given and only the first similar one is named,
// as Django raises one error per validator.
func (p *Policy) Check(password string, attrs []Attribute) []string {
	var msgs []string
	if a, ok := tooSimilar(password, attrs); ok {
		msgs = append(msgs, "The password is too similar to the "+a.Name+".")
	}
	// Python's len counts code points, as RuneCountInString does.
	if utf8.RuneCountInString(password) < p.minLength {
		msgs = append(msgs, tooShort(p.minLength))
	}
	if isCommon(password) {
		msgs = append(msgs, MsgTooCommon)
	}
	if isNumeric(password) {
		msgs = append(msgs, MsgNumeric)
	}
	return msgs
}

// tooShort is MinimumLengthValidator's message, singular for one as Django's English
// ngettext has it.
func tooShort(minLength int) string {
	if minLength == 1 {
		return "This password is too short. It must contain at least 1 character."
	}
	return fmt.Sprintf("This password is too short. It must contain at least %d characters.", minLength)
}

// isNumeric is NumericPasswordValidator's test, Python's str.isdigit: at least one
// character, and every one a digit.
func isNumeric(password string) bool {
	if password == "" {
		return false
	}
	for _, r := range password {
		if !pyIsDigit(r) {
			return false
		}
	}
	return true
}
