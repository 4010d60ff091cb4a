package sim_test

import (
	"testing"

	"github.com/pwreset/pwreset/sim"
)

// fixing names the branch whose fix of a finding is pending.
var fixing = map[string]string{"new": "none yet (reported in issue 17's note)", "new2": "none yet (reported in issue 17's note)"}

// TestSimFindings replays each finding's schedule (they failed on main 213d159
// with the invariant named): no invariant may break.
func TestSimFindings(t *testing.T) { sim.CheckFindings(t, sim.Memory, fixing) }
