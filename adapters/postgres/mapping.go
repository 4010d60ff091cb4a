package postgres

import (
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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

// tableName quotes the table's name, each part of a schema-qualified one apart.
func tableName(table string) string {
	return pgx.Identifier(strings.Split(table, ".")).Sanitize()
}

// column quotes a column's name.
func column(name string) string { return pgx.Identifier{name}.Sanitize() }
