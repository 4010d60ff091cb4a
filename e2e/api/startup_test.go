package api

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestStartUpWarnsOfUnsafeDefaults: `pwreset serve` outside demo mode logs one
// warning for each of DRR's unsafe defaults it runs with, and none once the safe
// values are set.
func TestStartUpWarnsOfUnsafeDefaults(t *testing.T) {
	db := mongotest.NewDatabase(t)
	warnings := map[string]string{
		"RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND":  "set RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false",
		"RESET_PASSWORD_VERIFICATION_ONE_TIME_USE": "set RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true",
	}
	count := func(p *harness.Process, advice string) int {
		n := 0
		for _, l := range p.Snapshot() {
			if strings.Contains(l, `"level":"WARN"`) && strings.Contains(l, advice) {
				n++
			}
		}
		return n
	}
	defaults, _ := harness.Serve(t, mongotest.URI(t), db.Name(), "LOG_FORMAT=json", "SENDGRID_API_KEY=SG.unused")
	safe, _ := harness.Serve(t, mongotest.URI(t), db.Name(), "LOG_FORMAT=json", "SENDGRID_API_KEY=SG.unused",
		"RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false", "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true")
	for name, advice := range warnings {
		if n := count(defaults, advice); n != 1 {
			t.Errorf("with the default %s: %d warnings saying %q, want 1", name, n, advice)
		}
		if n := count(safe, advice); n != 0 {
			t.Errorf("with the safe %s: %d warnings saying %q, want none", name, n, advice)
		}
	}
}
