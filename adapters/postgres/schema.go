package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	RoleFirstName = "first-name"
	RoleLastName  = "last-name"
	RoleActive    = "active"
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

// columnInfo is what inspect needs to know of a column: its type as format_type
// writes it (without length or precision) and whether it is unique on its own.
type columnInfo struct {
	typ    string
	unique bool
}

// inspect reads the users table's columns and checks them against m: every column
// named must exist with a type of its role, and the id column must be unique. It
// returns how ids are stored, or a *SchemaError for each problem found.
func inspect(ctx context.Context, pool *pgxpool.Pool, m UserMapping) (idKind, error) {
	cols, err := readColumns(ctx, pool, m.Table)
	if err != nil {
		return 0, err
	}
	c := checker{table: m.Table, cols: cols}
	for _, l := range m.LoginColumns {
		c.check(RoleLogin, l, textTypes, "text or varchar")
	}
	c.check(RoleEmail, m.EmailColumn, textTypes, "text or varchar")
	c.check(RolePassword, m.PasswordColumn, textTypes, "text or varchar")
	if m.LanguageColumn != "" {
		c.check(RoleLanguage, m.LanguageColumn, textTypes, "text or varchar")
	}
	for _, n := range [][2]string{{RoleFirstName, m.FirstNameColumn}, {RoleLastName, m.LastNameColumn}} {
		if n[1] != "" {
			c.check(n[0], n[1], textTypes, "text or varchar")
		}
	}
	if m.ActiveColumn != "" {
		c.check(RoleActive, m.ActiveColumn, []string{"boolean"}, "boolean")
	}
	if m.ChangedAtColumn != "" {
		c.check(RoleChangedAt, m.ChangedAtColumn, timeTypes, "timestamp or timestamptz")
	}
	kind := idText
	id, ok := c.check(RoleID, m.IDColumn, slices.Concat([]string{"uuid"}, intTypes, textTypes),
		"an integer type, uuid, text or varchar")
	switch {
	case ok && !id.unique:
		c.fail(RoleID, m.IDColumn, "of table %q is not unique: it needs a primary key or a unique index of its own", m.Table)
	case slices.Contains(intTypes, id.typ):
		kind = idInteger
	case id.typ == "uuid":
		kind = idUUID
	}
	return kind, errors.Join(c.problems...)
}

// readColumns returns the columns of table, by name; a table that does not exist
// is a *SchemaError.
func readColumns(ctx context.Context, pool *pgxpool.Pool, table string) (map[string]columnInfo, error) {
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", tableName(table)).Scan(&exists); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && !unavailable(err) {
			// The server read the name and refused it ("a.b.c": another database).
			return nil, &SchemaError{Role: RoleTable, Name: table,
				Problem: "is not a name PostgreSQL can look up (" + pgErr.Message + "); write table or schema.table"}
		}
		return nil, translate(ctx, "look up table "+table, err)
	}
	if !exists {
		return nil, &SchemaError{Role: RoleTable, Name: table, Problem: "does not exist in the database's search path"}
	}
	// citext is named by its type name: format_type may qualify it with its schema.
	rows, _ := pool.Query(ctx, `SELECT a.attname,
		CASE WHEN t.typname = 'citext' THEN 'citext' ELSE regexp_replace(format_type(a.atttypid, NULL), '\(.*\)', '') END,
		EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique
		        AND i.indpred IS NULL AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum)
		FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, tableName(table))
	cols := map[string]columnInfo{}
	var name string
	var c columnInfo
	_, err := pgx.ForEachRow(rows, []any{&name, &c.typ, &c.unique}, func() error {
		cols[name] = c
		return nil
	})
	if err != nil {
		return nil, translate(ctx, "read the columns of table "+table, err)
	}
	return cols, nil
}

// checker collects the problems of a table's columns.
type checker struct {
	table    string
	cols     map[string]columnInfo
	problems []error
}

// check reports whether column name exists with one of the types want; if not, it
// records the problem, saying what was found and wantText.
func (c *checker) check(role, name string, want []string, wantText string) (columnInfo, bool) {
	col, ok := c.cols[name]
	switch {
	case !ok:
		c.fail(role, name, "does not exist in table %q (its columns: %s)", c.table, strings.Join(sortedKeys(c.cols), ", "))
	case !slices.Contains(want, col.typ):
		c.fail(role, name, "of table %q is of type %s; want %s", c.table, col.typ, wantText)
		ok = false
	}
	return col, ok
}

func (c *checker) fail(role, name, format string, args ...any) {
	c.problems = append(c.problems, &SchemaError{Role: role, Name: name, Problem: fmt.Sprintf(format, args...)})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
