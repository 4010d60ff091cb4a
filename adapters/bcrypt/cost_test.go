package bcrypt_test

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/bcrypt"
)

func TestValidateCost(t *testing.T) {
	for _, tt := range []struct {
		cost int
		ok   bool
	}{
		{4, true}, {10, true}, {bcrypt.DefaultCost, true}, {31, true},
		{3, false}, {0, false}, {-1, false}, {32, false}, {1 << 40, false},
	} {
		err := bcrypt.ValidateCost(tt.cost)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateCost(%d) = %v, want ok=%v", tt.cost, err, tt.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), "BCRYPT_COST") {
			t.Errorf("ValidateCost(%d): error %q does not name BCRYPT_COST", tt.cost, err)
		}
	}
}

// TestValidCostsHash checks that the cost Validate accepts at its lower bound is
// the one the hash carries; the upper bound would take days to hash.
func TestValidCostsHash(t *testing.T) {
	if err := bcrypt.ValidateCost(4); err != nil {
		t.Fatal(err)
	}
	hash, err := bcrypt.NewHasher(4).Hash("pw")
	if err != nil || !strings.HasPrefix(hash, "$2a$04$") {
		t.Errorf("Hash at cost 4 = %q, %v", hash, err)
	}
}
