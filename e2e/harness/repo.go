package harness

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoPath returns rel (say, "deploy/prometheus/alerts.yml") as an absolute path in
// the repository, whichever package's directory the test runs in; an absolute rel
// is returned as it is.
func RepoPath(t *testing.T, rel string) string {
	t.Helper()
	if filepath.IsAbs(rel) {
		return rel
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the test's directory: cannot find %s", rel)
		}
		dir = parent
	}
}
