package reset

import (
	"strings"

	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/ports"
)

// Verbose names of the attributes Django's UserAttributeSimilarityValidator compares
// by default, as its messages name them ("The password is too similar to the last
// name.").
const (
	attrFirstName = "first name"
	attrLastName  = "last name"
	attrEmail     = "email address"
)

// Attributes lists what a new password of user must not resemble, in the order of
// Django's default user_attributes (username, first_name, last_name, email): the
// login fields, named as Django names a field ("date_of_birth" is "date of birth"),
// then the names and the e-mail address. A login field that holds the e-mail
// address is left to the e-mail address, so that the message names it as Django
// does. Empty values are listed; the policy skips them, as Django does.
func Attributes(user ports.User) []policy.Attribute {
	var attrs []policy.Attribute
	for _, f := range user.Logins {
		if f.Value != user.Email {
			attrs = append(attrs, policy.Attribute{Name: strings.ReplaceAll(f.Name, "_", " "), Value: f.Value})
		}
	}
	return append(attrs,
		policy.Attribute{Name: attrFirstName, Value: user.FirstName},
		policy.Attribute{Name: attrLastName, Value: user.LastName},
		policy.Attribute{Name: attrEmail, Value: user.Email})
}
