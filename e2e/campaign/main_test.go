package campaign

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
)

// TestMain stops the shared database server once the package's tests are done.
func TestMain(m *testing.M) { pgtest.Main(m) }
