package mongo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestSetPasswordUnclearErrors: the connection breaks at one step of a change
// (issue 8, items 4 and 5). However it breaks, no user is left locked out: the
// same change made again right away succeeds. Where the change was made though
// its answer was lost, SetPassword says so; where it is not known to be made, the
// error wraps ErrUnavailable (503, try again) and the guard is gone.
func TestSetPasswordUnclearErrors(t *testing.T) {
	cases := []struct {
		name      string
		cmd, coll string
		mode      int
		made      bool // the first SetPassword stored the new hash
	}{
		{"guard insert answer lost", "insert", "password_changes", loseReply, false},
		{"guard insert never sent", "insert", "password_changes", dropRequest, false},
		{"update answer lost", "update", "users", loseReply, true},
		{"update never sent", "update", "users", dropRequest, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			insert(t, db, teamDoc("f1"))
			fdb, f := faulty(t, db)
			store := mongo.NewUserStore(fdb, mongo.UserMapping{Timeout: 5 * time.Second})
			change := ports.PasswordChange{UserID: "f1", OldHash: "old", NewHash: "new", ChangedAt: time.Now()}
			f.arm(c.cmd, c.coll, c.mode)
			err := store.SetPassword(testCtx(t), change)
			if f.pending() != 0 {
				t.Fatalf("the fault never hit; SetPassword = %v", err)
			}
			if c.made {
				if err != nil {
					t.Fatalf("SetPassword whose update landed: got %v, want success", err)
				}
				if got := rawUser(t, db, "f1")["password"]; got != "new" {
					t.Fatalf("password = %v, want new", got)
				}
				return
			}
			if !errors.Is(err, ports.ErrUnavailable) {
				t.Fatalf("SetPassword: got %v, want ErrUnavailable", err)
			}
			if got := rawUser(t, db, "f1")["password"]; got != "old" {
				t.Fatalf("password = %v after a failed change, want old", got)
			}
			// The user tries again at once: no guard of the failed try stands in the way.
			if err := store.SetPassword(testCtx(t), change); err != nil {
				t.Fatalf("SetPassword again: %v", err)
			}
		})
	}
}
