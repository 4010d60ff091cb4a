//go:build unix

package mongotest

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile blocks until this process holds an exclusive lock on path, so that
// parallel test processes build FerretDB once. The kernel drops the lock if the
// process dies, so a crashed build never wedges the next one.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("mongotest: build lock: %w", err)
	}
	if err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("mongotest: build lock: %w", err)
	}
	return func() { _ = f.Close() }, nil // closing the file releases the lock
}
