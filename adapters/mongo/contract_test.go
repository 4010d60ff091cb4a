package mongo_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// TestUserStoreContract runs the shared UserStore suite with the id in MongoDB's
// own _id, and again in a field of the team's ("uid") beside an unrelated _id. Its
// SetPasswordRace holds on FerretDB too, whose updates are not atomic: the guard
// settles the race.
func TestUserStoreContract(t *testing.T) {
	for _, idField := range []string{"_id", "uid"} {
		t.Run(idField, func(t *testing.T) {
			contract.TestUserStore(t, func(t *testing.T, users []ports.User) ports.UserStore {
				db := mongotest.NewDatabase(t)
				for _, u := range users {
					insert(t, db, userDoc(u, idField))
				}
				return mongo.NewUserStore(db, contractMapping(idField))
			})
		})
	}
}

// TestOutboxContract runs the shared Outbox suite, each outbox in a database of its
// own with its indexes in place, as the service prepares it.
func TestOutboxContract(t *testing.T) {
	contract.TestOutbox(t, func(t *testing.T) ports.Outbox { return newOutbox(t) })
}

// TestAddLimitedCapRace runs the contract's race for the last places of a cap
// above 1.
func TestAddLimitedCapRace(t *testing.T) {
	contract.TestAddLimitedCapRace(t, func(t *testing.T) ports.Outbox { return newOutbox(t) })
}

// TestOutboxTraceParent runs the contract's check that a message keeps the
// traceparent of the request that queued it.
func TestOutboxTraceParent(t *testing.T) {
	contract.TestOutboxTraceParent(t, func(t *testing.T) ports.Outbox { return newOutbox(t) })
}
