package bcrypt

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// ValidateCost reports whether cost, as a configuration layer read it from
// BCRYPT_COST, is one bcrypt accepts: 4 to 31. NewHasher takes a cost below 4 for
// DefaultCost, but a configuration that says so most likely means something else,
// and should be told.
func ValidateCost(cost int) error {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return fmt.Errorf("BCRYPT_COST is %d; it must be between %d and %d (%d is the default)",
			cost, bcrypt.MinCost, bcrypt.MaxCost, DefaultCost)
	}
	return nil
}
