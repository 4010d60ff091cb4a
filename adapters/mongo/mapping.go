package mongo

import (
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/ports"
)

// DefaultTimeout bounds each call of a UserStore or an Outbox configured without
// a Timeout.
const DefaultTimeout = 5 * time.Second

// UserMapping tells where a UserStore finds each part of a user in the team's
// documents. Field names may be dotted paths into embedded documents
// ("profile.email"). Empty fields take the defaults noted beside them.
type UserMapping struct {
	// Collection holds the users; default "users".
	Collection string
	// LoginFields are tried in this order by FindByLogin; default ["username"].
	LoginFields []string
	// EmailField holds the e-mail address; default "email".
	EmailField string
	// IDField holds the id a reset link carries (ObjectId, integer or string);
	// default "_id".
	IDField string
	// PasswordField holds the password hash, the only field a reset writes;
	// default "password".
	PasswordField string
	// PasswordChangedAtField, when not empty, is set to PasswordChange.ChangedAt
	// by SetPassword, for teams that track when a password last changed.
	PasswordChangedAtField string
	// LanguageField, when not empty, holds the user's language tag ("de", "fr-CA"),
	// which then chooses the language of the e-mails; a value that is not a string
	// counts as none.
	LanguageField string
	// FirstNameField and LastNameField, when not empty, hold the user's names
	// (Django's first_name and last_name), which a new password must not resemble;
	// a value that is not a string counts as none.
	FirstNameField string
	LastNameField  string
	// ActiveField, when not empty, holds whether the account is active (Django's
	// is_active): false marks the user Inactive; any other value, or none, does not.
	ActiveField string
	// Logger receives the warning of a reset link whose user id names more than
	// one account (see UserStore.FindByID); default slog.Default().
	Logger *slog.Logger
	// Timeout bounds each call on top of the caller's own deadline; default
	// DefaultTimeout.
	Timeout time.Duration
}

// withDefaults returns m with its empty fields filled in, and its slice copied so
// that a caller changing its own slice later cannot change the store.
func (m UserMapping) withDefaults() UserMapping {
	if m.Collection == "" {
		m.Collection = "users"
	}
	m.LoginFields = slices.Clone(m.LoginFields)
	if len(m.LoginFields) == 0 {
		m.LoginFields = []string{"username"}
	}
	if m.EmailField == "" {
		m.EmailField = "email"
	}
	if m.IDField == "" {
		m.IDField = "_id"
	}
	if m.PasswordField == "" {
		m.PasswordField = "password"
	}
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if m.Timeout <= 0 {
		m.Timeout = DefaultTimeout
	}
	return m
}

// projection names the fields a lookup reads, so that large documents are not
// shipped whole. MongoDB rejects a projection that names a field twice, or a field
// and a path inside it ("profile" and "profile.email"), so only the outermost of
// such fields is kept: it holds the others.
func (m UserMapping) projection() bson.D {
	fields := []string{m.IDField}
	fields = append(fields, m.LoginFields...)
	fields = append(fields, m.EmailField, m.PasswordField)
	for _, f := range []string{m.LanguageField, m.FirstNameField, m.LastNameField, m.ActiveField} {
		if f != "" {
			fields = append(fields, f)
		}
	}
	var proj bson.D
	for _, f := range fields {
		if !slices.ContainsFunc(fields, func(g string) bool { return within(f, g) }) &&
			!slices.ContainsFunc(proj, func(e bson.E) bool { return e.Key == f }) {
			proj = append(proj, bson.E{Key: f, Value: 1})
		}
	}
	return proj
}

// readProfile reads into u the optional parts of a user that only the password
// policy and the choice of who gets a link need: the names and whether it is active.
func (m UserMapping) readProfile(doc bson.Raw, u *ports.User) {
	if m.FirstNameField != "" {
		u.FirstName, _ = lookup(doc, m.FirstNameField).StringValueOK()
	}
	if m.LastNameField != "" {
		u.LastName, _ = lookup(doc, m.LastNameField).StringValueOK()
	}
	if m.ActiveField != "" {
		active, ok := lookup(doc, m.ActiveField).BooleanOK()
		u.Inactive = ok && !active
	}
}

// within tells whether path f lies inside field g ("a.b.c" inside "a" or "a.b").
func within(f, g string) bool {
	return strings.HasPrefix(f, g+".")
}
