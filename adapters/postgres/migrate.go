package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock that serialises the migrations of instances
// starting at once ('pwmg').
const migrationLock = 1886875239

// Migrate brings pwreset's own tables up to date in the connection's current schema:
// it applies, in one transaction, each embedded migration (migrations/NNNN_*.sql)
// whose version pwreset_schema_migrations does not list yet, and lists it. Instances
// starting together wait for each other; a migrated database is left as it is. It
// returns the versions it applied.
func Migrate(ctx context.Context, pool *pgxpool.Pool) ([]int, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	steps, err := migrationSteps()
	if err != nil {
		return nil, err
	}
	// A database migrated already is left without any DDL, so that a role without
	// CREATE rights starts once `pwreset migrate` has run.
	if done, err := appliedVersions(ctx, pool); err == nil && !slices.ContainsFunc(steps, func(s migration) bool {
		return !slices.Contains(done, s.version)
	}) {
		return nil, nil
	}
	var applied []int
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS pwreset_schema_migrations (
			version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "SELECT version FROM pwreset_schema_migrations")
		done, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		for _, s := range steps {
			if slices.Contains(done, s.version) {
				continue
			}
			if _, err := tx.Exec(ctx, s.sql); err != nil {
				return fmt.Errorf("migration %s: %w", s.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO pwreset_schema_migrations (version) VALUES ($1)", s.version); err != nil {
				return err
			}
			applied = append(applied, s.version)
		}
		return nil
	})
	if err != nil {
		return nil, translate(ctx, "migrate pwreset's tables (the role needs CREATE on the schema; "+
			"or run `pwreset migrate` as a role that has it)", err)
	}
	return applied, nil
}

// appliedVersions lists the versions applied, or none if pwreset's tables are not
// there yet.
func appliedVersions(ctx context.Context, pool *pgxpool.Pool) ([]int, error) {
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('pwreset_schema_migrations') IS NOT NULL").Scan(&exists); err != nil || !exists {
		return nil, err
	}
	rows, _ := pool.Query(ctx, "SELECT version FROM pwreset_schema_migrations")
	return pgx.CollectRows(rows, pgx.RowTo[int])
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrationSteps reads the embedded migrations in order of version.
func migrationSteps() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var steps []migration
	for _, e := range entries {
		prefix, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, fmt.Errorf("migration %s: the name must start with its version number", e.Name())
		}
		b, err := migrations.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		steps = append(steps, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(steps, func(a, b migration) int { return a.version - b.version })
	return steps, nil
}
