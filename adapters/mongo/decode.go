package mongo

import (
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/ports"
)

// decodeUser reads a user out of a document the way m maps it. Fields that are not
// strings are left out (a login), left empty (e-mail, hash) or refused (the id,
// which a reset link must be able to carry).
func decodeUser(doc bson.Raw, m UserMapping) (ports.User, error) {
	id, err := idText(lookup(doc, m.IDField))
	if err != nil {
		return ports.User{}, fmt.Errorf("field %q: %w", m.IDField, err)
	}
	u := ports.User{ID: id}
	for _, f := range m.LoginFields {
		if v, ok := lookup(doc, f).StringValueOK(); ok {
			u.Logins = append(u.Logins, ports.Field{Name: f, Value: v})
		}
	}
	u.Email, _ = lookup(doc, m.EmailField).StringValueOK()
	u.PasswordHash, _ = lookup(doc, m.PasswordField).StringValueOK()
	if m.LanguageField != "" {
		u.Language, _ = lookup(doc, m.LanguageField).StringValueOK()
	}
	return u, nil
}

// lookup finds a field by its dotted path, as a query would name it; the zero
// RawValue when it is missing.
func lookup(doc bson.Raw, path string) bson.RawValue {
	return doc.Lookup(strings.Split(path, ".")...)
}
