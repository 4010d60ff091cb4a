package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Roles of the mapping, which a SchemaError names so that the caller can name its
// own setting.
const (
	RoleTable     = "table"
	RoleLogin     = "login"
	RoleEmail     = "email"
	RoleID        = "id"
	RolePassword  = "password"
	RoleChangedAt = "changed-at"
	RoleLanguage  = "language"
)

// SchemaError is a users table that does not fit the mapping: missing, or a
// column missing or of a type pwreset cannot use. Role says which part of the
// mapping, Name what it names, Problem what was found and what is wanted.
type SchemaError struct {
	Role    string
	Name    string
	Problem string
}

func (e *SchemaError) Error() string {
	if e.Role == RoleTable {
		return fmt.Sprintf("table %q %s", e.Name, e.Problem)
	}
	return fmt.Sprintf("column %q %s", e.Name, e.Problem)
}

// idKind is how the id column stores ids, and so how an id's text is matched.
type idKind int

const (
	idText idKind = iota
	idInteger
	idUUID
)

// The column types each role accepts, as PostgreSQL's format_type writes them
// (without a length or precision).
var (
	textTypes = []string{"text", "character varying", "character", "citext"}
	intTypes  = []string{"smallint", "integer", "bigint"}
	timeTypes = []string{"timestamp with time zone", "timestamp without time zone"}
)

// inspect reads the users table's columns and checks them against m: every column
// named must exist with a type of its role, and the id column must be unique. It
// returns how ids are stored, or a *SchemaError for each problem found.
func inspect(ctx context.Context, pool *pgxpool.Pool, m UserMapping) (idKind, error) {
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", tableName(m.Table)).Scan(&exists); err != nil {
		return 0, translate(ctx, "look up table "+m.Table, err)
	}
	if !exists {
		return 0, &SchemaError{Role: RoleTable, Name: m.Table, Problem: "does not exist in the database's search path"}
	}
	type col struct {
		typ, typname string
		unique       bool
	}
	cols := map[string]col{}
	rows, _ := pool.Query(ctx, `SELECT a.attname, regexp_replace(format_type(a.atttypid, NULL), '\(.*\)', ''), t.typname,
		EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique
		        AND i.indpred IS NULL AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum)
		FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, tableName(m.Table))
	var name string
	var c col
	_, err := pgx.ForEachRow(rows, []any{&name, &c.typ, &c.typname, &c.unique}, func() error {
		cols[name] = c
		return nil
	})
	if err != nil {
		return 0, translate(ctx, "read the columns of table "+m.Table, err)
	}
	var problems []error
	check := func(role, name string, want []string, wantText string) (col, bool) {
		c, ok := cols[name]
		typ := c.typ
		if c.typname == "citext" {
			typ = "citext"
		}
		switch {
		case !ok:
			problems = append(problems, &SchemaError{Role: role, Name: name,
				Problem: fmt.Sprintf("does not exist in table %q (its columns: %s)", m.Table, strings.Join(sortedKeys(cols), ", "))})
		case !slices.Contains(want, typ):
			problems = append(problems, &SchemaError{Role: role, Name: name,
				Problem: fmt.Sprintf("of table %q is of type %s; want %s", m.Table, c.typ, wantText)})
			ok = false
		}
		return c, ok
	}
	for _, l := range m.LoginColumns {
		check(RoleLogin, l, textTypes, "text or varchar")
	}
	check(RoleEmail, m.EmailColumn, textTypes, "text or varchar")
	check(RolePassword, m.PasswordColumn, textTypes, "text or varchar")
	if m.LanguageColumn != "" {
		check(RoleLanguage, m.LanguageColumn, textTypes, "text or varchar")
	}
	if m.ChangedAtColumn != "" {
		check(RoleChangedAt, m.ChangedAtColumn, timeTypes, "timestamp or timestamptz")
	}
	kind := idText
	idCol, ok := check(RoleID, m.IDColumn, append(append([]string{"uuid"}, intTypes...), textTypes...),
		"an integer type, uuid, text or varchar")
	switch {
	case ok && !idCol.unique:
		problems = append(problems, &SchemaError{Role: RoleID, Name: m.IDColumn,
			Problem: fmt.Sprintf("of table %q is not unique: it needs a primary key or a unique index of its own", m.Table)})
	case slices.Contains(intTypes, idCol.typ):
		kind = idInteger
	case idCol.typ == "uuid":
		kind = idUUID
	}
	return kind, errors.Join(problems...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
