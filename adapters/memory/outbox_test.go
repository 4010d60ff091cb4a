package memory_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

func TestOutboxContract(t *testing.T) {
	contract.TestOutbox(t, func(*testing.T) ports.Outbox { return memory.NewOutbox() })
}

func TestAddLimitedCapRace(t *testing.T) {
	contract.TestAddLimitedCapRace(t, func(*testing.T) ports.Outbox { return memory.NewOutbox() })
}

func TestOutboxTraceParent(t *testing.T) {
	contract.TestOutboxTraceParent(t, func(*testing.T) ports.Outbox { return memory.NewOutbox() })
}
