package mongo_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// plantGuard stores the guard of changing userID's password from oldHash, as a
// writer that expires at expires would have left it.
func plantGuard(t *testing.T, db *driver.Database, userID, oldHash string, expires time.Time) {
	t.Helper()
	_, err := db.Collection("password_changes").InsertOne(testCtx(t), bson.D{
		{Key: "_id", Value: mongo.GuardID(userID, oldHash)}, {Key: "user_id", Value: userID}, {Key: "expires_at", Value: expires}})
	if err != nil {
		t.Fatalf("plant guard: %v", err)
	}
}

// guards counts the documents of the guard collection.
func guards(t *testing.T, db *driver.Database) int64 {
	t.Helper()
	n, err := db.Collection("password_changes").CountDocuments(testCtx(t), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGuard: a live guard turns a change away; one that expired (its writer
// failed midway) is taken over; an unknown user stays unknown behind a guard.
func TestGuard(t *testing.T) {
	cases := []struct {
		name    string
		expires time.Duration // of the planted guard, from now; 0 for none
		want    error
	}{
		{"none", 0, nil},
		{"live", time.Minute, ports.ErrPasswordChanged},
		{"expired", -time.Second, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			insert(t, db, teamDoc("g1"))
			if c.expires != 0 {
				plantGuard(t, db, "g1", "old", time.Now().Add(c.expires))
			}
			store := mongo.NewUserStore(db, mongo.UserMapping{})
			err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "g1", OldHash: "old", NewHash: "new"})
			if !errors.Is(err, c.want) { // errors.Is(err, nil) is err == nil
				t.Fatalf("SetPassword: got %v, want %v", err, c.want)
			}
			want := map[bool]string{true: "new", false: "old"}[c.want == nil]
			if got := rawUser(t, db, "g1")["password"]; got != want {
				t.Fatalf("password = %v, want %s", got, want)
			}
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		store := mongo.NewUserStore(mongotest.NewDatabase(t), mongo.UserMapping{})
		for range 2 { // the second one finds the first one's guard
			err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "nobody", OldHash: "x", NewHash: "y"})
			if !errors.Is(err, ports.ErrUserNotFound) {
				t.Fatalf("SetPassword: got %v, want ErrUserNotFound", err)
			}
		}
	})
}

// TestGuardTakeoverRace: of many writers that find the same expired guard, one
// takes it over and changes the password; the others are refused.
func TestGuardTakeoverRace(t *testing.T) {
	const writers, rounds = 8, 5
	for round := range rounds {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			insert(t, db, teamDoc("g2"))
			plantGuard(t, db, "g2", "old", time.Now().Add(-time.Second))
			store := mongo.NewUserStore(db, mongo.UserMapping{})
			contract.RaceSetPassword(t, store, "g2", "old", writers)
		})
	}
}

// TestGuardReleasedAfterFailure: a change that fails for another reason than a
// moved-on hash releases its guard, so that the same link works once the cause
// is gone.
func TestGuardReleasedAfterFailure(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db, teamDoc("g3"))
	change := ports.PasswordChange{UserID: "g3", OldHash: "old", NewHash: "new", ChangedAt: time.Now()}
	// "roles" is an array: the server refuses to set a field inside it.
	broken := mongo.NewUserStore(db, mongo.UserMapping{PasswordChangedAtField: "roles.at"})
	err := broken.SetPassword(testCtx(t), change)
	if err == nil || errors.Is(err, ports.ErrPasswordChanged) || errors.Is(err, ports.ErrUserNotFound) {
		t.Fatalf("SetPassword with a broken mapping: got %v, want a write error", err)
	}
	if n := guards(t, db); n != 0 {
		t.Fatalf("%d guards left after a failed change, want 0", n)
	}
	if err = mongo.NewUserStore(db, mongo.UserMapping{}).SetPassword(testCtx(t), change); err != nil {
		t.Fatalf("SetPassword once fixed: %v", err)
	}
}

// TestPurgeGuards: expired guards go, live ones stay.
func TestPurgeGuards(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db, teamDoc("g4"))
	store := mongo.NewUserStore(db, mongo.UserMapping{})
	if err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "g4", OldHash: "old", NewHash: "new"}); err != nil {
		t.Fatal(err)
	}
	plantGuard(t, db, "g4", "older", time.Now().Add(-time.Minute))
	if n, err := store.PurgeGuards(testCtx(t)); err != nil || n != 1 {
		t.Fatalf("PurgeGuards = %d, %v; want 1", n, err)
	}
	if n := guards(t, db); n != 1 {
		t.Fatalf("%d guards left, want the live one", n)
	}
}

// plantMarker stores the takeover marker a writer inserts before it replaces the
// guard of userID and oldHash that expired at guardExpires, as one that died
// right after leaves it.
func plantMarker(t *testing.T, db *driver.Database, userID, oldHash string, guardExpires, expires time.Time) {
	t.Helper()
	id := fmt.Sprintf("%s@%d", mongo.GuardID(userID, oldHash), guardExpires.UnixMilli())
	_, err := db.Collection("password_changes").InsertOne(testCtx(t), bson.D{
		{Key: "_id", Value: id}, {Key: "user_id", Value: userID}, {Key: "expires_at", Value: expires}})
	if err != nil {
		t.Fatalf("plant marker: %v", err)
	}
}

// TestGuardDeadTakeover: a writer took an expired guard over and died right after
// inserting its marker (issue 8, item 5). While the marker is live the change
// waits; once it has expired, the next change goes through, with no purge.
func TestGuardDeadTakeover(t *testing.T) {
	for _, c := range []struct {
		name   string
		marker time.Duration // the marker's expiry, from now
		want   error
	}{
		{"marker live", time.Minute, ports.ErrPasswordChanged},
		{"marker expired", -time.Second, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			insert(t, db, teamDoc("g5"))
			guardExpires := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
			plantGuard(t, db, "g5", "old", guardExpires)
			plantMarker(t, db, "g5", "old", guardExpires, time.Now().Add(c.marker))
			store := mongo.NewUserStore(db, mongo.UserMapping{})
			err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "g5", OldHash: "old", NewHash: "new"})
			if !errors.Is(err, c.want) {
				t.Fatalf("SetPassword: got %v, want %v", err, c.want)
			}
		})
	}
}
