package mongotest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// buildTags leave out FerretDB's PostgreSQL backend, which the tests never use.
const buildTags = "ferretdb_no_postgresql"

// moduleDir is the nested FerretDB module, found beside this source file so that
// tests of any package, run from any directory, reach it.
func moduleDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", fmt.Errorf("mongotest: cannot locate its own source (built with -trimpath?); " +
			"set MONGODB_TEST_URI instead")
	}
	return filepath.Join(filepath.Dir(file), "ferretdb"), nil
}

// binary returns the path of the FerretDB binary, building it first if no build of
// the same sources is cached. A build takes a minute or more on two cores, so the
// binary is kept under the user's cache directory, named by a hash of everything
// that goes into it; test processes running in parallel take turns through a lock
// file, and a build lands by rename so nobody ever runs half a binary.
func binary() (path string, built time.Duration, err error) {
	dir, err := moduleDir()
	if err != nil {
		return "", 0, err
	}
	key, err := sourceKey(dir)
	if err != nil {
		return "", 0, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "pwreset", "ferretdb")
	if err = os.MkdirAll(cache, 0o755); err != nil {
		return "", 0, err
	}
	path = filepath.Join(cache, "ferretdb-"+key)
	if runtime.GOOS == "windows" {
		path += ".exe"
	}
	if exists(path) {
		return path, 0, nil
	}

	unlock, err := lockFile(filepath.Join(cache, "build.lock"))
	if err != nil {
		return "", 0, err
	}
	defer unlock()
	if exists(path) { // another process built it while this one waited
		return path, 0, nil
	}
	start := time.Now()
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	// Flags given on the command line win over GOFLAGS: never touch go.mod or
	// go.sum, and stamp no VCS data (the nested module sits inside the service's repo).
	cmd := exec.Command("go", "build", "-mod=readonly", "-buildvcs=false", "-tags", buildTags, "-o", tmp, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.Remove(tmp)
		return "", 0, fmt.Errorf("mongotest: building FerretDB in %s: %w\n%s", dir, err, out)
	}
	if err = os.Rename(tmp, path); err != nil && !exists(path) {
		return "", 0, err
	}
	return path, time.Since(start), nil
}

// sourceKey hashes what decides the binary: the nested module's files, the Go
// version, the target and the build tags.
func sourceKey(dir string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH, buildTags)
	for _, name := range []string{"go.mod", "go.sum", "main.go"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", fmt.Errorf("mongotest: reading the FerretDB module: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
