package mongo

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
)

// TestMain stops the shared database server once the package's tests are done.
func TestMain(m *testing.M) { mongotest.Main(m) }
