package mongo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestSetPasswordUnclearErrors: the connection breaks at the change (issue 8,
// items 4 and 5). However it breaks, no user is left locked out: the same change
// made again right away succeeds. Where the change was made though its answer was
// lost, SetPassword says so; where it is not known to be made, the error wraps
// ErrUnavailable (503, try again).
func TestSetPasswordUnclearErrors(t *testing.T) {
	cases := []struct {
		name      string
		cmd, coll string
		mode      int
		made      bool // the first SetPassword stored the new hash
	}{
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
			// The user tries again at once: nothing of the failed try stands in the way.
			if err := store.SetPassword(testCtx(t), change); err != nil {
				t.Fatalf("SetPassword again: %v", err)
			}
		})
	}
}

// TestSetPasswordSettlesWithMajority reproduces issue 17, finding 5: the answer
// of a password update is lost, and SetPassword settles it by reading the user
// again. That read must be one no failover can roll back: read concern
// "majority", from the primary. Failed before: the read had no read concern
// (the server's "local"), which can return a write a failover then rolls back.
func TestSetPasswordSettlesWithMajority(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db, teamDoc("f1"))
	fdb, f, log := faultyWatched(t, db)
	store := mongo.NewUserStore(fdb, mongo.UserMapping{})
	f.arm("update", "users", loseReply)
	log.take()
	err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "f1", OldHash: "old", NewHash: "new"})
	if err != nil || f.pending() != 0 {
		t.Fatalf("SetPassword whose answer was lost = %v; want success", err)
	}
	settled := false
	for _, cmd := range log.take() {
		if coll, _ := cmd.Lookup("find").StringValueOK(); coll != "users" {
			continue
		}
		settled = true
		if level, _ := cmd.Lookup("readConcern", "level").StringValueOK(); level != "majority" {
			t.Errorf("the settling read %s has read concern %q; want majority", cmd, level)
		}
		if mode, _ := cmd.Lookup("$readPreference", "mode").StringValueOK(); mode != "" && mode != "primary" {
			t.Errorf("the settling read goes to %q; want the primary", mode)
		}
	}
	if !settled {
		t.Fatal("no read of the user after the lost answer")
	}
}

// TestSetPasswordRefusedWrite reproduces issue 17, finding 7: the server refuses
// the update outright (a validation rule, code 121; missing privileges, code
// 13). It surely did not apply, so SetPassword reports ErrWriteRefused, not a
// possible change (ErrUnavailable), and nothing changed. Failed before: the
// error wrapped neither.
func TestSetPasswordRefusedWrite(t *testing.T) {
	for name, code := range map[string]int{"validation": 121, "unauthorized": 13} {
		t.Run(name, func(t *testing.T) {
			p, uri := mongotest.Proxy(t)
			db := mongotest.NewDatabase(t)
			insert(t, db, teamDoc("f1"))
			store := mongo.NewUserStore(mongotest.Connect(t, uri).Database(db.Name()), mongo.UserMapping{})
			p.Refuse("update", "users", code)
			err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "f1", OldHash: "old", NewHash: "new"})
			if !errors.Is(err, ports.ErrWriteRefused) || errors.Is(err, ports.ErrUnavailable) {
				t.Fatalf("SetPassword refused by the server = %v; want ErrWriteRefused and not ErrUnavailable", err)
			}
			if got := rawUser(t, db, "f1")["password"]; got != "old" {
				t.Fatalf("password = %v after a refused change, want old", got)
			}
		})
	}
}

// TestSetPasswordNothingLeftBehind reproduces issue 17, finding 6: a reset whose
// writer died midway (killed, or cut off from MongoDB) must not turn the same
// link away afterwards. What the former layout left, a live guard of the change
// in "password_changes", is planted; the change is made all the same, as there
// is no lock to leave. Failed before: the guard answered ErrPasswordChanged (the
// link "Invalid signature") for up to 30 s.
func TestSetPasswordNothingLeftBehind(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db, teamDoc("f1"))
	sum := sha256.Sum256([]byte("f1\x00old"))
	_, err := db.Collection("password_changes").InsertOne(testCtx(t), bson.D{{Key: "_id", Value: hex.EncodeToString(sum[:])},
		{Key: "user_id", Value: "f1"}, {Key: "expires_at", Value: time.Now().Add(time.Minute)}})
	if err != nil {
		t.Fatal(err)
	}
	err = mongo.NewUserStore(db, mongo.UserMapping{}).SetPassword(testCtx(t),
		ports.PasswordChange{UserID: "f1", OldHash: "old", NewHash: "new"})
	if err != nil {
		t.Fatalf("SetPassword after a dead writer: %v; want success", err)
	}
}
