package sim_test

import (
	"testing"

	"github.com/pwreset/pwreset/sim"
)

// TestSimFindings replays each finding's schedule (they failed on main 213d159
// with the invariant named): no invariant may break.
func TestSimFindings(t *testing.T) { sim.CheckFindings(t, sim.Memory, sim.PendingFindings) }
