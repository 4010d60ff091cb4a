package postgres_test

import (
	neturl "net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
)

// versions are those of the embedded migrations.
var versions = []int{1, 2, 3, 4, 5, 6, 7, 8}

// TestMigrateConcurrently: instances starting at once on an empty schema all
// succeed, the migration is applied once, and a later run applies nothing.
func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.NewSchema(t)
	const instances = 4
	applied := make([][]int, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		pool := pgtest.Pool(t, url)
		wg.Go(func() { applied[i], errs[i] = postgres.Migrate(testCtx(t), pool) })
	}
	wg.Wait()
	appliers := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		if len(applied[i]) > 0 {
			appliers++
			if !slices.Equal(applied[i], versions) {
				t.Fatalf("instance %d applied %v; want versions %v", i, applied[i], versions)
			}
		}
	}
	if appliers != 1 {
		t.Fatalf("migrations applied %v; want every version applied once in all", applied)
	}
	pool := pgtest.Pool(t, url)
	if again, err := postgres.Migrate(testCtx(t), pool); err != nil || len(again) != 0 {
		t.Fatalf("second Migrate = %v, %v; want nothing applied", again, err)
	}
	var n int
	if err := pool.QueryRow(testCtx(t), "SELECT count(*) FROM pwreset_schema_migrations").Scan(&n); err != nil || n != len(versions) {
		t.Fatalf("versions listed: %d, %v; want %d", n, err, len(versions))
	}
}

// TestMigrateWithoutRights: a role that may not create tables gets an error that
// says what to do; once `pwreset migrate` has run, the same role starts without
// needing any DDL.
func TestMigrateWithoutRights(t *testing.T) {
	admin := pgtest.Pool(t, pgtest.URL(t))
	url := pgtest.NewSchema(t)
	role := newRole(t, admin, "reader_")
	pool := pgtest.Pool(t, pgtest.WithParam(url, "user", role))
	_, err := postgres.Migrate(testCtx(t), pool)
	if err == nil || !strings.Contains(err.Error(), "pwreset migrate") {
		t.Fatalf("Migrate without CREATE: %v; want an error naming `pwreset migrate`", err)
	}
	parsed, _ := neturl.Parse(url)
	schema := parsed.Query().Get("search_path")
	if _, err := postgres.Migrate(testCtx(t), pgtest.Pool(t, url)); err != nil {
		t.Fatal(err)
	}
	exec(t, admin, "GRANT USAGE ON SCHEMA "+schema+" TO "+role)
	exec(t, admin, "GRANT SELECT ON "+schema+".pwreset_schema_migrations TO "+role)
	if applied, err := postgres.Migrate(testCtx(t), pool); err != nil || len(applied) != 0 {
		t.Fatalf("Migrate of a migrated schema without CREATE: %v, %v; want nothing to do", applied, err)
	}
}
