package postgres_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

func TestCampaignStoreContract(t *testing.T) {
	contract.TestCampaignStore(t, func(t *testing.T) ports.CampaignStore { return postgres.NewCampaignStore(migrated(t), 0) })
}
