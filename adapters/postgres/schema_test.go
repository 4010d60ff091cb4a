package postgres_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
)

// TestSchemaProblems: a table that does not fit the mapping is refused at start
// with one *SchemaError per problem, naming the role, the column and what was found.
func TestSchemaProblems(t *testing.T) {
	const good = "id bigint PRIMARY KEY, username text, alias text, email text, password text, password_changed_at timestamptz, language varchar(8)"
	cases := []struct {
		name   string
		table  string // columns of the users table; "" for none
		change func(*postgres.UserMapping)
		want   []string // role: fragment of the message, one per problem
	}{
		{"no table", "", nil, []string{"table: table \"users\" does not exist"}},
		{"other table", good, func(m *postgres.UserMapping) { m.Table = "accounts" }, []string{"table: table \"accounts\" does not exist"}},
		{"three-part table name", good, func(m *postgres.UserMapping) { m.Table = "db.public.users" },
			[]string{"table: table \"db.public.users\" is not a name PostgreSQL can look up (cross-database references"}},
		{"missing columns", "id bigint PRIMARY KEY, username text, password text",
			nil, []string{"login: column \"alias\" does not exist in table \"users\" (its columns: id, password, username)",
				"email: column \"email\" does not exist", "changed-at: column \"password_changed_at\" does not exist",
				"language: column \"language\" does not exist"}},
		{"wrong types", "id numeric PRIMARY KEY, username text, alias int, email text, password bytea, password_changed_at date, language jsonb",
			nil, []string{"login: column \"alias\" of table \"users\" is of type integer; want text or varchar",
				"password: column \"password\" of table \"users\" is of type bytea",
				"changed-at: column \"password_changed_at\" of table \"users\" is of type date; want timestamp or timestamptz",
				"language: column \"language\" of table \"users\" is of type jsonb; want text or varchar",
				"id: column \"id\" of table \"users\" is of type numeric; want an integer type, uuid, text or varchar"}},
		{"id not unique", strings.Replace(good, " PRIMARY KEY", "", 1), nil, []string{"id: column \"id\" of table \"users\" is not unique"}},
		{"changed-at and language off", strings.Replace(good, ", password_changed_at timestamptz, language varchar(8)", "", 1),
			func(m *postgres.UserMapping) { m.ChangedAtColumn, m.LanguageColumn = "", "" }, nil},
		{"good", good, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pool := pgtest.Pool(t, pgtest.NewSchema(t))
			if c.table != "" {
				exec(t, pool, "CREATE TABLE users ("+c.table+")")
			}
			m := contractMapping()
			if c.change != nil {
				c.change(&m)
			}
			_, err := postgres.NewUserStore(testCtx(t), pool, m)
			var got []string
			for _, e := range problems(err) {
				var se *postgres.SchemaError
				if !errors.As(e, &se) {
					t.Fatalf("problem %v is not a *SchemaError", e)
				}
				got = append(got, se.Role+": "+se.Error())
			}
			if len(got) != len(c.want) {
				t.Fatalf("problems:\n%s\nwant %d like:\n%s", strings.Join(got, "\n"), len(c.want), strings.Join(c.want, "\n"))
			}
			for _, w := range c.want {
				if !strings.Contains(strings.Join(got, "\n"), w) {
					t.Errorf("no problem says %q; got:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
