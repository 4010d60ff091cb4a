package postgres_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// TestAddLimitedKeepBody runs the contract's case of LimitedMessage.KeepBody: a
// suppressed message that keeps its body, the same write as a pending one (issue
// 18 item 8).
func TestAddLimitedKeepBody(t *testing.T) {
	contract.TestAddLimitedKeepBody(t, func(t *testing.T) ports.Outbox { return postgres.NewOutboxOnClock(migrated(t), 0, nil) })
}
