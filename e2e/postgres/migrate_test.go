package postgres

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestMigrateCommand: `pwreset migrate` creates pwreset's tables and stops, says
// so, finds nothing to do the second time, and without DATABASE_URL exits 2.
func TestMigrateCommand(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + pgtest.NewSchema(t)}
	if out := harness.RunTool(t, env, "migrate"); !strings.Contains(out, "applied migrations [1 2 3 4 5 6 7 8]") {
		t.Fatalf("first migrate: %q", out)
	}
	if out := harness.RunTool(t, env, "migrate"); !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %q", out)
	}
	bin, err := harness.Build()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "migrate")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 || !strings.Contains(string(out), "DATABASE_URL is not set") {
		t.Fatalf("migrate without DATABASE_URL: %v %q; want exit 2 naming DATABASE_URL", err, out)
	}
}

// TestPostgresBadSchemaStopsStartUp: a users table that does not fit stops the
// service at start, each problem naming its variable and what was found.
func TestPostgresBadSchemaStopsStartUp(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	harness.SeedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{})
	env := append(harness.PostgresEnv(dbURL, relay), "USER_LOGIN_FIELDS=username,nickname", "USER_VERIFICATION_ID_FIELD=date_joined")
	p := harness.Start(t, env, "serve")
	line := p.Await(t, regexp.MustCompile(`"cannot start".*`))[0]
	for _, want := range []string{`USER_LOGIN_FIELDS: column \"nickname\" does not exist in table \"auth_user\"`,
		`USER_VERIFICATION_ID_FIELD: column \"date_joined\" of table \"auth_user\" is of type timestamp with time zone`} {
		if !strings.Contains(line, want) {
			t.Errorf("start-up error lacks %s:\n%s", want, line)
		}
	}
	if err := p.Wait(); err == nil || p.Cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("exit: %v; want 1", err)
	}
}

// TestPostgresTools: `pwreset link` and `pwreset outbox` work on PostgreSQL as on
// MongoDB: a link for alice, and the outbox's counts.
func TestPostgresTools(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	id := harness.SeedDjangoAlice(t, pgtest.Pool(t, dbURL))
	relay := smtptest.Start(t, smtptest.Options{})
	env := harness.PostgresEnv(dbURL, relay)
	out := harness.RunTool(t, env, "link", "--login", "alice")
	if !regexp.MustCompile(`user_id=` + id + `(&|\s|$)`).MatchString(out) {
		t.Fatalf("pwreset link printed %q; want a link for user %s", out, id)
	}
	if out := harness.RunTool(t, env, "outbox"); !strings.Contains(out, "pending") {
		t.Fatalf("pwreset outbox printed %q", out)
	}
}
