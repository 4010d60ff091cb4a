package mongo_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
)

// TestMain stops the shared FerretDB once the package's tests are done.
func TestMain(m *testing.M) { mongotest.Main(m) }
