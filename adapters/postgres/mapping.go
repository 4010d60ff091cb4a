package postgres

import (
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/ports"
)

// UserMapping tells where a UserStore finds each part of a user in the team's
// table. Empty fields take the defaults noted beside them.
type UserMapping struct {
	// Table holds the users, optionally schema-qualified ("auth.users"); default
	// "users". pwreset never creates or alters it.
	Table string
	// LoginColumns are tried in this order by FindByLogin; default ["username"].
	LoginColumns []string
	// EmailColumn holds the e-mail address; default "email".
	EmailColumn string
	// IDColumn holds the id a reset link carries: integer (smallint, integer,
	// bigint), uuid or text; default "id". It must be unique.
	IDColumn string
	// PasswordColumn holds the password hash; default "password".
	PasswordColumn string
	// LanguageColumn, when not empty, holds the user's language tag ("de",
	// "pt-BR"), read into User.Language; text or varchar.
	LanguageColumn string
	// FirstNameColumn and LastNameColumn, when not empty, hold the user's names
	// (Django's auth_user.first_name and last_name), which a new password must not
	// resemble; text or varchar, NULL read as none.
	FirstNameColumn string
	LastNameColumn  string
	// ActiveColumn, when not empty, is a boolean saying whether the account is
	// active (Django's is_active): false marks the user Inactive, NULL does not.
	ActiveColumn string
	// ChangedAtColumn, when not empty, is set to PasswordChange.ChangedAt by
	// SetPassword (timestamp with or without time zone).
	ChangedAtColumn string
	// Timeout bounds each call on top of the caller's own deadline; default
	// DefaultTimeout.
	Timeout time.Duration
}

// withDefaults returns m with its empty fields filled in and its slice copied.
func (m UserMapping) withDefaults() UserMapping {
	if m.Table == "" {
		m.Table = "users"
	}
	m.LoginColumns = slices.Clone(m.LoginColumns)
	if len(m.LoginColumns) == 0 {
		m.LoginColumns = []string{"username"}
	}
	if m.EmailColumn == "" {
		m.EmailColumn = "email"
	}
	if m.IDColumn == "" {
		m.IDColumn = "id"
	}
	if m.PasswordColumn == "" {
		m.PasswordColumn = "password"
	}
	if m.Timeout <= 0 {
		m.Timeout = DefaultTimeout
	}
	return m
}

// profileColumns are the optional columns read after the language, in order: the
// names as text ("" for NULL), then whether the account is inactive.
func (m UserMapping) profileColumns() []string {
	var cols []string
	for _, c := range []string{m.FirstNameColumn, m.LastNameColumn} {
		if c != "" {
			cols = append(cols, "coalesce("+column(c)+"::text, '')")
		}
	}
	if m.ActiveColumn != "" {
		cols = append(cols, "coalesce(NOT "+column(m.ActiveColumn)+", false)")
	}
	return cols
}

// profileDest are the scan targets of profileColumns in u.
func (m UserMapping) profileDest(u *ports.User) []any {
	var dest []any
	if m.FirstNameColumn != "" {
		dest = append(dest, &u.FirstName)
	}
	if m.LastNameColumn != "" {
		dest = append(dest, &u.LastName)
	}
	if m.ActiveColumn != "" {
		dest = append(dest, &u.Inactive)
	}
	return dest
}

// tableName quotes the table's name, each part of a schema-qualified one apart.
func tableName(table string) string {
	return pgx.Identifier(strings.Split(table, ".")).Sanitize()
}

// column quotes a column's name.
func column(name string) string { return pgx.Identifier{name}.Sanitize() }
