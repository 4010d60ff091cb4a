package memory_test

import (
	"context"
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

// TestDuplicateEmails counts shared addresses as users are added and replaced.
func TestDuplicateEmails(t *testing.T) {
	s := memory.NewUserStore([]string{"username"},
		ports.User{ID: "1", Email: "a@example.com"}, ports.User{ID: "2", Email: "a@example.com"},
		ports.User{ID: "3", Email: "a@example.com"}, ports.User{ID: "4", Email: "b@example.com"},
		ports.User{ID: "5"}, ports.User{ID: "6"})
	count := func() int {
		n, err := s.DuplicateEmails(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("DuplicateEmails = %d, want 1 (a@ three times; empty addresses are none)", n)
	}
	s.Add(ports.User{ID: "4", Email: "a@example.com"}) // replaced: still one address shared
	s.Add(ports.User{ID: "7", Email: "c@example.com"})
	s.Add(ports.User{ID: "8", Email: "c@example.com"})
	if n := count(); n != 2 {
		t.Fatalf("DuplicateEmails = %d, want 2", n)
	}
	s.Add(ports.User{ID: "8", Email: "d@example.com"})
	if n := count(); n != 1 {
		t.Fatalf("after the second c@ changed address: DuplicateEmails = %d, want 1", n)
	}
}
