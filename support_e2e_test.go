package main

import (
	"context"
	"errors"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
)

// runSupport runs a pwreset command (a support command, or any other) to its end
// and returns its exit code, standard output and standard error.
func runSupport(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := command(t, env, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("pwreset %s: %v", strings.Join(args, " "), err)
	return 0, "", ""
}

// TestSupportCommands: `pwreset link` prints a link that resets the password and
// sends nothing; `pwreset send-link --wait` queues a link that a running instance
// delivers, past the cooldown and the daily cap, and reports the delivery; an
// unknown user exits 1 and queues nothing.
func TestSupportCommands(t *testing.T) {
	db := mongotest.NewDatabase(t)
	id := seedAlice(t, db)
	sg := sendgridtest.New(t)
	env := append(serviceEnv(mongotest.URI(t), db.Name()), mailEnv(sg)...)
	env = append(env, "RESET_PASSWORD_LINK_DAILY_CAP=1")

	code, out, errOut := runSupport(t, env, "link", "--login", "nobody")
	if code != 1 || out != "" || !strings.Contains(errOut, "no user with login nobody; nothing was sent") {
		t.Errorf("link for an unknown login: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runSupport(t, env, "send-link", "--user-id", bson.NewObjectID().Hex())
	if code != 1 || !strings.Contains(errOut, "no user with user id") {
		t.Errorf("send-link for an unknown id: exit %d, stderr %q", code, errOut)
	}
	if n, err := db.Collection("outbox").CountDocuments(context.Background(), bson.D{}); err != nil || n != 0 {
		t.Fatalf("the outbox holds %d messages after refusals (%v), want 0", n, err)
	}

	code, out, errOut = runSupport(t, env, "link", "--user-id", id.Hex())
	if code != 0 || !strings.Contains(errOut, "reset_link.issued_by_operator") {
		t.Fatalf("link: exit %d, stderr %s", code, errOut)
	}
	printed, err := url.Parse(strings.TrimSpace(out))
	if err != nil || !strings.HasPrefix(out, "https://frontend.example/reset-password/?") {
		t.Fatalf("link printed %q", out)
	}

	p, api := serveAgainst(t, mongotest.URI(t), db.Name(), append(mailEnv(sg), "RESET_PASSWORD_LINK_DAILY_CAP=1", "METRICS_ON_API_ADDR=true")...)
	wantDetail(t, "reset with the printed link", resetWith(t, api, printed.Query(), newPassword), 200, "Reset password successful")
	awaitMails(t, sg, "alice@example.com", "password_changed", 1)
	if n := len(mailsTo(sg, "alice@example.com", "reset_link")); n != 0 {
		t.Fatalf("link sent %d e-mails, want none", n)
	}

	// The daily cap of 1 is used up by the printed link: a request through the API is
	// held back (counted as such), and a second one would be in the cooldown. The
	// operator's links go out all the same.
	wantDetail(t, "request over the daily cap", sendLink(t, api, "alice"), 200, "Reset link sent")
	awaitMetric(t, strings.TrimSuffix(api, "/api/v1/accounts/")+"/metrics", `pwreset_link_requests_total{outcome="daily_cap"} 1`)
	for i := 1; i <= 2; i++ {
		code, out, errOut = runSupport(t, env, "send-link", "--login", "alice", "--wait")
		if code != 0 || !strings.Contains(out, "queued login alice") || !strings.Contains(out, "sent to alice@example.com") {
			t.Fatalf("send-link --wait #%d: exit %d\nstdout %s\nstderr %s", i, code, out, errOut)
		}
	}
	mails := awaitMails(t, sg, "alice@example.com", "reset_link", 2)
	wantDetail(t, "reset with the sent link", resetWith(t, api, linkIn(t, mails[1]), "yet another fine passphrase"),
		200, "Reset password successful")
	assertNoLinkLogged(t, p)
}
