package memory_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

func TestCampaignStoreContract(t *testing.T) {
	contract.TestCampaignStore(t, func(*testing.T) ports.CampaignStore { return memory.NewCampaignStore() })
}
