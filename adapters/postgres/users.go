package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/ports"
)

// UserStore is the ports.UserStore of a users table of the team's. It reads the
// mapped columns and writes only the password and the changed-at column.
type UserStore struct {
	pool *pgxpool.Pool
	m    UserMapping
	ids  idKind
	sql  userSQL
}

var _ ports.UserStore = (*UserStore)(nil)

// userSQL holds the statements of a store, written once from its mapping.
type userSQL struct {
	selectFrom string // SELECT <id, logins, email, password> FROM <table>
	idMatch    string // <id column> = $1, cast to the column's kind
	byLogin    string
	byEmail    string
	byID       string
	exists     string
	setPW      string
}

// NewUserStore checks the table m names (see inspect) and returns a store over it,
// with m's empty fields set to their defaults. A table that does not fit is one or
// more *SchemaError; an unreachable server wraps ports.ErrUnavailable.
func NewUserStore(ctx context.Context, pool *pgxpool.Pool, m UserMapping) (*UserStore, error) {
	m = m.withDefaults()
	opCtx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	ids, err := inspect(opCtx, pool, m)
	if err != nil {
		return nil, err
	}
	return &UserStore{pool: pool, m: m, ids: ids, sql: writeUserSQL(m, ids)}, nil
}

func writeUserSQL(m UserMapping, ids idKind) userSQL {
	cols := []string{column(m.IDColumn) + "::text"}
	var anyLogin []string
	for _, l := range m.LoginColumns {
		cols = append(cols, column(l)+"::text")
		anyLogin = append(anyLogin, column(l)+" = $1::text")
	}
	cols = append(cols, "coalesce("+column(m.EmailColumn)+"::text, '')", "coalesce("+column(m.PasswordColumn)+"::text, '')")
	if m.LanguageColumn != "" {
		cols = append(cols, "coalesce("+column(m.LanguageColumn)+"::text, '')")
	}
	cols = append(cols, m.profileColumns()...)
	s := userSQL{selectFrom: "SELECT " + strings.Join(cols, ", ") + " FROM " + tableName(m.Table)}
	s.idMatch = column(m.IDColumn) + " = $1::" + [...]string{idText: "text", idInteger: "bigint", idUUID: "uuid"}[ids]
	// Logins are unique in any sane table: a few rows at most match.
	s.byLogin = fmt.Sprintf("%s WHERE %s LIMIT %d", s.selectFrom, strings.Join(anyLogin, " OR "), 8*len(m.LoginColumns))
	s.byEmail = s.selectFrom + " WHERE " + column(m.EmailColumn) + " = $1::text LIMIT 1"
	s.byID = s.selectFrom + " WHERE " + s.idMatch
	s.exists = "SELECT EXISTS (SELECT 1 FROM " + tableName(m.Table) + " WHERE " + s.idMatch + ")"
	set := column(m.PasswordColumn) + " = $3"
	if m.ChangedAtColumn != "" {
		set += ", " + column(m.ChangedAtColumn) + " = $4"
	}
	s.setPW = "UPDATE " + tableName(m.Table) + " SET " + set + " WHERE " + s.idMatch +
		" AND coalesce(" + column(m.PasswordColumn) + "::text, '') = $2::text"
	return s
}

// FindByLogin implements ports.UserStore: one query over every login column, so
// that a known and an unknown login cost the same round trip; the match in the
// earliest column wins.
func (s *UserStore) FindByLogin(ctx context.Context, login string) (ports.User, error) {
	if login == "" {
		return ports.User{}, ports.ErrUserNotFound // an empty login names nobody
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	rows, _ := s.pool.Query(opCtx, s.sql.byLogin, login)
	users, err := pgx.CollectRows(rows, s.scanUser)
	if err != nil {
		return ports.User{}, translate(ctx, "find user by login", err)
	}
	for _, l := range s.m.LoginColumns {
		for _, u := range users {
			if slices.Contains(u.Logins, ports.Field{Name: l, Value: login}) {
				return u, nil
			}
		}
	}
	return ports.User{}, ports.ErrUserNotFound
}

// FindByEmail implements ports.UserStore.
func (s *UserStore) FindByEmail(ctx context.Context, email string) (ports.User, error) {
	if email == "" {
		return ports.User{}, ports.ErrUserNotFound // users without an address must not match
	}
	return s.findOne(ctx, "find user by "+s.m.EmailColumn, s.sql.byEmail, email)
}

// FindByID implements ports.UserStore. An id that the id column's type cannot
// hold, or holds in another form ("042" for 42, upper-case hex of a UUID), matches
// nobody, so that each user answers to exactly one id.
func (s *UserStore) FindByID(ctx context.Context, id string) (ports.User, error) {
	if !s.canonicalID(id) {
		return ports.User{}, ports.ErrUserNotFound
	}
	return s.findOne(ctx, "find user by "+s.m.IDColumn, s.sql.byID, id)
}

func (s *UserStore) findOne(ctx context.Context, op, sql, arg string) (ports.User, error) {
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	rows, _ := s.pool.Query(opCtx, sql, arg)
	u, err := pgx.CollectExactlyOneRow(rows, s.scanUser)
	if errors.Is(err, pgx.ErrNoRows) {
		return ports.User{}, ports.ErrUserNotFound
	}
	if err != nil {
		return ports.User{}, translate(ctx, op, err)
	}
	return u, nil
}

// scanUser reads a row of selectFrom. A NULL login is no login.
func (s *UserStore) scanUser(row pgx.CollectableRow) (ports.User, error) {
	logins := make([]pgtype.Text, len(s.m.LoginColumns))
	var u ports.User
	dest := []any{&u.ID}
	for i := range logins {
		dest = append(dest, &logins[i])
	}
	dest = append(dest, &u.Email, &u.PasswordHash)
	if s.m.LanguageColumn != "" {
		dest = append(dest, &u.Language)
	}
	dest = append(dest, s.m.profileDest(&u)...)
	if err := row.Scan(dest...); err != nil {
		return u, err
	}
	for i, l := range logins {
		if l.Valid {
			u.Logins = append(u.Logins, ports.Field{Name: s.m.LoginColumns[i], Value: l.String})
		}
	}
	return u, nil
}

var uuidText = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// canonicalID tells whether id is written as User.ID writes ids of the column's
// type: an integer in decimal without sign or leading zero, a UUID in lower-case
// hex with hyphens, a text as it is.
func (s *UserStore) canonicalID(id string) bool {
	switch s.ids {
	case idInteger:
		n, err := strconv.ParseInt(id, 10, 64)
		return err == nil && strconv.FormatInt(n, 10) == id
	case idUUID:
		return uuidText.MatchString(id)
	}
	return id != ""
}

// DuplicateEmails counts the e-mail addresses that more than one user holds, where
// FindByEmail finds one of them, whichever the server returns first. It scans the
// table, bounded by ctx alone: a large one takes longer than a look-up.
func (s *UserStore) DuplicateEmails(ctx context.Context) (int, error) {
	var n int
	email := column(s.m.EmailColumn)
	err := s.pool.QueryRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+tableName(s.m.Table)+" WHERE "+email+
		" <> '' GROUP BY "+email+" HAVING count(*) > 1) AS shared").Scan(&n)
	if err != nil {
		return 0, translate(ctx, "count shared e-mail addresses", err)
	}
	return n, nil
}
