package image_test

import (
	"crypto/rand"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

// podman runs Debian's podman with the OCI runtime and limits that work where the
// test runs (see runtimes).
type podman struct {
	bin   string
	flags []string // before the subcommand: --runtime
	limit []string // after `run`: --ulimit
}

// ulimits replace podman's defaults (nofile 1048576, nproc 4194304), which runc may not
// set in a sandbox whose own limits are lower (EPERM, "error setting rlimits"); the
// service needs far fewer of either.
var ulimits = []string{"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"}

// cmd returns podman's command for args; a `run` gets the limits.
func (p podman) cmd(args ...string) *exec.Cmd {
	all := append([]string{}, p.flags...)
	if len(args) > 0 && args[0] == "run" {
		all = append(all, "run")
		all = append(all, p.limit...)
		args = args[1:]
	}
	return exec.Command(p.bin, append(all, args...)...)
}

// out runs podman and returns its trimmed standard output; it fails the test on an
// error, with podman's standard error.
func (p podman) out(t *testing.T, args ...string) string {
	t.Helper()
	b, err := p.cmd(args...).Output()
	if err != nil {
		t.Fatalf("podman %s: %v%s", strings.Join(args, " "), err, stderrOf(err))
	}
	return strings.TrimSpace(string(b))
}

// stderrOf returns what a failed command printed on standard error, for messages.
func stderrOf(err error) string {
	if exit, ok := err.(*exec.ExitError); ok && len(exit.Stderr) > 0 {
		return "\n" + strings.TrimSpace(string(exit.Stderr))
	}
	return ""
}

// need returns the path of a command, or skips the test saying which package brings it.
func need(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found: .ci/run installs Debian's %s; without it the image is neither built nor run here", name, name)
	}
	return path
}

// uniqueName returns a name no other test run uses, for images and containers.
func uniqueName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
