package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/ports"
)

var _ ports.UserLister = (*UserStore)(nil)

// ListUsers implements ports.UserLister: one indexed range scan of the id column
// (its primary key, or a unique index) per page. Where names columns of the table.
func (s *UserStore) ListUsers(ctx context.Context, q ports.UserQuery) ([]ports.User, error) {
	cond, args := s.where(q.Where)
	if q.After != "" {
		args = append(args, q.After)
		cond = append(cond, fmt.Sprintf("%s.%s > $%d::%s", tableName(s.m.Table), column(s.m.IDColumn), len(args), s.idType()))
	}
	args = append(args, q.Limit)
	// Qualified, the id is the column, not the text the select list names alike.
	sql := s.sql.selectFrom + whereClause(cond) + " ORDER BY " + tableName(s.m.Table) + "." + column(s.m.IDColumn) +
		fmt.Sprintf(" LIMIT $%d", len(args))
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	rows, _ := s.pool.Query(opCtx, sql, args...)
	users, err := pgx.CollectRows(rows, s.scanUser)
	if err != nil {
		return nil, translateWrite(ctx, "list users", err)
	}
	return users, nil
}

// CountUsers implements ports.UserLister. It scans the table, bounded by ctx alone.
func (s *UserStore) CountUsers(ctx context.Context, where []ports.Field) (int, error) {
	cond, args := s.where(where)
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+tableName(s.m.Table)+whereClause(cond), args...).Scan(&n); err != nil {
		return 0, translateWrite(ctx, "count users", err)
	}
	return n, nil
}

// where writes each field as a condition on the column of its name, as text.
func (s *UserStore) where(fields []ports.Field) ([]string, []any) {
	var cond []string
	var args []any
	for _, f := range fields {
		args = append(args, f.Value)
		cond = append(cond, fmt.Sprintf("%s::text = $%d::text", column(f.Name), len(args)))
	}
	return cond, args
}

func (s *UserStore) idType() string {
	return [...]string{idText: "text", idInteger: "bigint", idUUID: "uuid"}[s.ids]
}

func whereClause(cond []string) string {
	if len(cond) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(cond, " AND ")
}
