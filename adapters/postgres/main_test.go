package postgres_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
)

// TestMain stops the shared PostgreSQL once the package's tests are done.
func TestMain(m *testing.M) { pgtest.Main(m) }
