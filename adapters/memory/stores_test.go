package memory_test

import (
	"context"
	"slices"
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

// TestNewStoresIsComplete: the memory backend provides every store, seeded with the
// users it is given in order, and no readiness check (nothing to wait for).
func TestNewStoresIsComplete(t *testing.T) {
	seed := []ports.User{{ID: "1", Logins: []ports.Field{{Name: "username", Value: "demo"}}}, {ID: "2", Email: "b@example.com"}}
	s := memory.NewStores(memory.Config{LoginFields: []string{"username"}, Users: slices.Values(seed)})
	if s.Users == nil || s.Outbox == nil || s.Limiter == nil || s.Campaigns == nil || s.Name == "" || s.Timeout <= 0 {
		t.Fatalf("incomplete stores: %+v", s)
	}
	if s.Readiness != nil {
		t.Errorf("memory has a readiness check %T; want none, always ready", s.Readiness)
	}
	u, err := s.Users.FindByLogin(context.Background(), "demo")
	if err != nil || u.ID != "1" {
		t.Errorf("seeded user demo: %+v, %v", u, err)
	}
	if u, err := s.Users.FindByEmail(context.Background(), "b@example.com"); err != nil || u.ID != "2" {
		t.Errorf("seeded user 2: %+v, %v", u, err)
	}
	if _, err := memory.NewStores(memory.Config{}).Users.FindByLogin(context.Background(), "demo"); err == nil {
		t.Error("found a user in a store seeded with none")
	}
}
