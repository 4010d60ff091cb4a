package memory_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

func TestUserStoreContract(t *testing.T) {
	contract.TestUserStore(t, func(_ *testing.T, users []ports.User) ports.UserStore {
		return memory.NewUserStore(contract.LoginFields, users...)
	})
}
