package harness

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// RunSupport runs a pwreset command (a support command, or any other) to its end
// and returns its exit code, standard output and standard error.
func RunSupport(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := Command(t, env, args...)
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

// RunTool runs a pwreset command to its end and returns its standard output; it
// fails the test unless the command exits 0.
func RunTool(t *testing.T, env []string, args ...string) string {
	t.Helper()
	code, out, errOut := RunSupport(t, env, args...)
	if code != 0 {
		t.Fatalf("pwreset %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// AwaitOutput runs a command until its output contains want, for up to 30 s.
func AwaitOutput(t *testing.T, env []string, want string, args ...string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := RunTool(t, env, args...)
		if strings.Contains(out, want) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("pwreset %s never printed %q; last:\n%s", strings.Join(args, " "), want, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
