package app_test

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/app"
)

// wantProblems loads env and fails the test unless start-up is refused with exactly
// the problems want, one line each, every one containing its text; with no want,
// unless env is accepted. It returns Load's error for further checks.
func wantProblems(t *testing.T, env []string, want ...string) error {
	t.Helper()
	_, err := app.Load(env)
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		return nil
	}
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if got := len(strings.Split(err.Error(), "\n")); got != len(want) {
		t.Errorf("%d lines, want %d:\n%v", got, len(want), err)
	}
	return err
}
