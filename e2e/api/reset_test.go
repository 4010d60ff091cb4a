package api

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestOneTimeLinkRace posts 20 resets with one one-time link at once: exactly one
// wins, and the stored hash is the winner's.
func TestOneTimeLinkRace(t *testing.T) {
	const racers = 20
	db := mongotest.NewDatabase(t)
	id := harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	_, api := harness.Serve(t, mongotest.URI(t), db.Name(),
		append(harness.MailEnv(sg), "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true")...)
	harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	link := harness.LinkIn(t, harness.AwaitMails(t, sg, "alice@example.com", reset.KindResetLink, 1)[0])

	password := func(i int) string { return fmt.Sprintf("racer %02d's own passphrase", i) }
	winner := harness.OneWinner(t, harness.RaceResets(t, api, link, racers, password))
	// A hash verifies one password only: were a loser's stored, the winner's would fail.
	stored, _ := harness.UserDoc(t, db, id)["password"].(string)
	if ok, err := argon2.NewHasher(argon2.DefaultParams()).Verify(stored, password(winner)); !ok || err != nil {
		t.Fatalf("the stored hash %q does not verify the winner's (racer %d's) password: %v", stored, winner, err)
	}
}

// TestSecretKeyRotation: links signed with a key moved to SECRET_KEY_FALLBACKS still
// reset, links signed with a key that is gone do not, and new links are signed
// with the new key.
func TestSecretKeyRotation(t *testing.T) {
	const (
		keyA = "rotation key A: forty bytes of secret..."
		keyB = "rotation key B: forty bytes of secret..."
	)
	db := mongotest.NewDatabase(t)
	harness.SeedUsers(t, db, 2)
	sg := sendgridtest.New(t)
	env := func(keys ...string) []string {
		return slices.Concat(harness.MailEnv(sg), []string{"RESET_PASSWORD_LINK_COOLDOWN=0"}, keys)
	}
	old, apiA := harness.Serve(t, mongotest.URI(t), db.Name(), env("SECRET_KEY="+keyA)...)
	for _, login := range []string{"user0", "user1"} {
		harness.WantDetail(t, "link from key A", harness.SendLink(t, apiA, login), 200, "Reset link sent")
	}
	linkA0 := harness.LinkIn(t, harness.AwaitMails(t, sg, "user0@example.com", reset.KindResetLink, 1)[0])
	linkA1 := harness.LinkIn(t, harness.AwaitMails(t, sg, "user1@example.com", reset.KindResetLink, 1)[0])
	old.Cmd.Process.Signal(syscall.SIGTERM)
	if err := old.Wait(); err != nil {
		t.Fatalf("the service with key A did not stop cleanly: %v", err)
	}

	_, apiRotated := harness.Serve(t, mongotest.URI(t), db.Name(), env("SECRET_KEY="+keyB, "SECRET_KEY_FALLBACKS="+keyA)...)
	_, apiOnlyB := harness.Serve(t, mongotest.URI(t), db.Name(), env("SECRET_KEY="+keyB)...)

	harness.WantDetail(t, "key A's link, service with key B alone", harness.ResetWith(t, apiOnlyB, linkA0, "a rotated passphrase 0"),
		400, "Invalid signature")
	harness.WantDetail(t, "key A's link, service with key B and fallback A", harness.ResetWith(t, apiRotated, linkA0, "a rotated passphrase 0"),
		200, "Reset password successful")
	harness.WantDetail(t, "key A's other link, service with key B and fallback A", harness.ResetWith(t, apiRotated, linkA1, "a rotated passphrase 1"),
		200, "Reset password successful")

	harness.WantDetail(t, "link from the rotated service", harness.SendLink(t, apiRotated, "user1"), 200, "Reset link sent")
	linkB := harness.LinkIn(t, harness.AwaitMails(t, sg, "user1@example.com", reset.KindResetLink, 2)[1])
	harness.WantDetail(t, "rotated service's link, service with key B alone", harness.ResetWith(t, apiOnlyB, linkB, "a rotated passphrase 2"),
		200, "Reset password successful")
}

// TestAfterReset: a newer link kills the older one; the reset stamps
// password_changed_at, touches no other field, and the user is told by e-mail.
func TestAfterReset(t *testing.T) {
	db := mongotest.NewDatabase(t)
	id := harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	_, api := harness.Serve(t, mongotest.URI(t), db.Name(), append(harness.MailEnv(sg),
		"RESET_PASSWORD_INVALIDATE_OLDER_LINKS=true", "RESET_PASSWORD_LINK_COOLDOWN=0")...)
	extra := bson.D{{Key: "first_name", Value: "Alice"}, {Key: "groups", Value: bson.A{"staff", int32(7)}},
		{Key: "profile", Value: bson.D{{Key: "lang", Value: "fr"}, {Key: "email", Value: "alice@elsewhere.example"}}},
		{Key: "last_login", Value: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}}
	if _, err := db.Collection("users").UpdateByID(t.Context(), id, bson.D{{Key: "$set", Value: extra}}); err != nil {
		t.Fatal(err)
	}
	before := harness.UserDoc(t, db, id)

	// Timestamps are whole seconds: the second link must be of a later second.
	harness.WantDetail(t, "older link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	time.Sleep(1100 * time.Millisecond)
	harness.WantDetail(t, "newer link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	mails := harness.AwaitMails(t, sg, "alice@example.com", reset.KindResetLink, 2)
	older, newer := harness.LinkIn(t, mails[0]), harness.LinkIn(t, mails[1])
	if linkTime(older) >= linkTime(newer) {
		t.Fatalf("links in the wrong order or of one second: %s, %s", older.Get("timestamp"), newer.Get("timestamp"))
	}

	harness.WantDetail(t, "reset with the older link", harness.ResetWith(t, api, older, harness.NewPassword), 400, "Invalid signature")
	if after := harness.UserDoc(t, db, id); !maps.EqualFunc(before, after, sameValue) {
		t.Fatalf("a refused reset changed the user:\nbefore %v\nafter  %v", before, after)
	}
	resetAt := time.Now()
	harness.WantDetail(t, "reset with the newer link", harness.ResetWith(t, api, newer, harness.NewPassword), 200, "Reset password successful")
	answeredAt := time.Now()

	after := harness.UserDoc(t, db, id)
	changedAt, ok := after["password_changed_at"].(bson.DateTime)
	if !ok {
		t.Fatalf("password_changed_at is %T %v, want a BSON date", after["password_changed_at"], after["password_changed_at"])
	}
	// Stamped while the request ran (the service shares this machine's clock; the
	// stored time is cut to milliseconds).
	if at := changedAt.Time(); at.Before(resetAt.Truncate(time.Millisecond)) || at.After(answeredAt) {
		t.Fatalf("password_changed_at %v is not between the request (%v) and its answer (%v)", at, resetAt, answeredAt)
	}
	hash, _ := after["password"].(string)
	if ok, err := argon2.NewHasher(argon2.DefaultParams()).Verify(hash, harness.NewPassword); !ok || err != nil {
		t.Fatalf("the stored hash does not verify the new password: %v", err)
	}
	delete(after, "password_changed_at")
	delete(after, "password")
	delete(before, "password")
	if !maps.EqualFunc(before, after, sameValue) {
		t.Fatalf("the reset changed fields it does not own:\nbefore %v\nafter  %v", before, after)
	}

	notice := harness.AwaitMails(t, sg, "alice@example.com", reset.KindPasswordChanged, 1)
	time.Sleep(500 * time.Millisecond) // a second notice would be sent by now
	if n := len(harness.MailsTo(sg, "alice@example.com", reset.KindPasswordChanged)); n != 1 {
		t.Fatalf("%d password-changed notices for one reset", n)
	}
	m := notice[0]
	if m.Subject != "Your frontend.example password was changed" || m.From != "noreply@example.com" {
		t.Fatalf("password-changed notice: subject %q from %q", m.Subject, m.From)
	}
	for _, part := range []string{m.Subject, m.Text, m.HTML} {
		if strings.Contains(part, harness.NewPassword) || strings.Contains(part, "signature") {
			t.Fatalf("the password-changed notice holds the password or the link: %q", part)
		}
	}
	if !strings.Contains(m.Text, changedAt.Time().UTC().Format("2 January 2006")) {
		t.Fatalf("the notice does not say when: %q", m.Text)
	}
}

// sameValue compares two decoded BSON values by their extended-JSON form.
func sameValue(a, b any) bool {
	ja, errA := bson.MarshalExtJSON(bson.M{"v": a}, true, false)
	jb, errB := bson.MarshalExtJSON(bson.M{"v": b}, true, false)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func linkTime(link url.Values) int64 {
	n, _ := strconv.ParseInt(link.Get("timestamp"), 10, 64)
	return n
}

// TestReusableLinkRaceEndToEnd posts 16 resets with one reusable link at once: all
// are answered 200, as django-rest-registration answers them; the stored hash is
// one of theirs, and each change is notified.
func TestReusableLinkRaceEndToEnd(t *testing.T) {
	const racers = 16
	db := mongotest.NewDatabase(t)
	id := harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	_, api := harness.Serve(t, mongotest.URI(t), db.Name(), harness.MailEnv(sg)...)
	harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	link := harness.LinkIn(t, harness.AwaitMails(t, sg, "alice@example.com", reset.KindResetLink, 1)[0])

	password := func(i int) string { return fmt.Sprintf("racer %02d's reusable passphrase", i) }
	replies := harness.RaceResets(t, api, link, racers, password)
	for i, r := range replies {
		harness.WantDetail(t, fmt.Sprintf("racer %d", i), r, 200, "Reset password successful")
	}
	stored, _ := harness.UserDoc(t, db, id)["password"].(string)
	last := -1
	for i := range racers {
		if ok, err := argon2.NewHasher(argon2.DefaultParams()).Verify(stored, password(i)); ok && err == nil {
			last = i
		}
	}
	if last < 0 {
		t.Fatal("the stored hash verifies none of the racers' passwords")
	}
	harness.AwaitMails(t, sg, "alice@example.com", reset.KindPasswordChanged, racers)
}
