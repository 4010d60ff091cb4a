package main

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/e2e/harness"
)

// Bad arguments and demo mode exit 2 before anything is looked up.
func TestSupportCommandUsage(t *testing.T) {
	production := []string{"MONGODB_URI=mongodb://127.0.0.1:1", "SECRET_KEY=" + harness.SecretKey, "SENDGRID_API_KEY=SG.x",
		"RESET_PASSWORD_VERIFICATION_URL=https://frontend.example/reset-password/", "VERIFICATION_FROM_EMAIL=noreply@example.com"}
	for _, c := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"link"}, production, "exactly one of --login X or --user-id ID"},
		{[]string{"link", "--login", "a", "--user-id", "1"}, production, "exactly one of --login X or --user-id ID"},
		{[]string{"link", "--login", "a", "--wait"}, production, "flag provided but not defined: -wait"},
		{[]string{"send-link", "--login", "a", "extra"}, production, `unexpected argument "extra"`},
		{[]string{"send-link", "--login", "a"}, nil, "demo mode keeps its users in the memory of the running service"},
		// The last value used to win silently: support staff would send a link to b.
		{[]string{"link", "--login", "a", "--login", "b"}, production, "--login given twice"},
		{[]string{"send-link", "--user-id", "1", "--user-id=2"}, production, "--user-id given twice"},
		{[]string{"send-link", "--login", "a", "--wait", "--wait"}, production, "--wait given twice"},
	} {
		var stdout, stderr strings.Builder
		code := run(c.args, c.env, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), c.want) || stdout.Len() != 0 {
			t.Errorf("pwreset %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, stderr.String(), c.want)
		}
	}
}
