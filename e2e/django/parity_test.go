package django

import (
	"context"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/django/djangotest"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/e2e/harness"
)

// set changes fields of a user's document in auth_user.
func (s *djangoSite) set(t *testing.T, name string, fields bson.D) {
	t.Helper()
	_, err := s.db.Collection("auth_user").UpdateOne(context.Background(), bson.D{{Key: "_id", Value: s.users[name]}},
		bson.D{{Key: "$set", Value: fields}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDjangoNameSimilarity: with USER_SCHEMA=django, a password like the user's
// first or last name is refused with the messages Django's four default validators
// give for the same auth.User (issue 20: "Oberhauser", the last name, was accepted),
// in DRR's answer body, byte for byte; nothing is stored; a good password resets.
func TestDjangoNameSimilarity(t *testing.T) {
	dj := djangotest.Start(t)
	s := newDjangoSite(t, dj, map[string]string{"kathrin": ""})
	s.set(t, "kathrin", bson.D{{Key: "first_name", Value: "Kathrin"}, {Key: "last_name", Value: "Oberhauser"}})
	_, api := s.serve(t)
	before := s.hash(t, "kathrin")
	user := djangotest.User{Username: "kathrin", FirstName: "Kathrin", LastName: "Oberhauser", Email: "kathrin@example.com"}

	for _, password := range []string{"Oberhauser", "oberhauser1", "Kathrin1984x", "KATHRIN.OBERHAUSER"} {
		want := dj.Ask(t, djangotest.Request{Op: "validate", Password: password, User: &user})[0].Messages
		if len(want) == 0 {
			t.Fatalf("Django accepts %q for %+v: a bad case", password, user)
		}
		r := harness.ResetWith(t, api, s.djangoLink(t, "kathrin", djangoKey, false), password)
		body := `{"password":` + jsonList(want) + `,"non_field_errors":[]}`
		if r.Status != 400 || strings.TrimSpace(r.Raw) != body {
			t.Errorf("password %q: %d %s\nwant 400 %s (Django %s's messages)", password, r.Status, r.Raw, body, dj.Version)
		}
	}
	if got := s.hash(t, "kathrin"); got != before {
		t.Fatalf("a refused password was stored: %s", got)
	}
	harness.WantDetail(t, "a password unlike the user", harness.ResetWith(t, api, s.djangoLink(t, "kathrin", djangoKey, false),
		harness.NewPassword), 200, "Reset password successful")
	s.wantLogin(t, "kathrin", harness.NewPassword)
}

// jsonList writes messages as a JSON list, as DRF does (no HTML escaping needed here).
func jsonList(msgs []string) string {
	quoted := make([]string, len(msgs))
	for i, m := range msgs {
		quoted[i] = `"` + m + `"`
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

// TestDjangoAnswerBodies: the bodies DRR 0.9.0 writes for a refused password and a
// mismatched confirmation (fields in the serializer's order, "non_field_errors": []
// last), and a 5,000-character password, which DRR takes (200), resets here too and
// logs in with Django; only a body over 64 KiB is too large.
func TestDjangoAnswerBodies(t *testing.T) {
	dj := djangotest.Start(t)
	s := newDjangoSite(t, dj, map[string]string{"alice": ""})
	_, api := s.serve(t, "RESET_PASSWORD_SERIALIZER_PASSWORD_CONFIRM=true")

	l := s.djangoLink(t, "alice", djangoKey, false)
	body := func(password, confirm string) string {
		return strings.TrimSuffix(harness.ResetBody(l, password), "}") + `,"password_confirm":"` + confirm + `"}`
	}
	for _, tt := range []struct{ name, body, want string }{
		{"policy and confirmation", body("12345678", "87654321"),
			`{"password":["This password is too common.","This password is entirely numeric."],` +
				`"password_confirm":["Passwords don't match"],"non_field_errors":[]}`},
		{"confirmation only", body(harness.NewPassword, harness.NewPassword+"!"),
			`{"password_confirm":["Passwords don't match"],"non_field_errors":[]}`},
		{"fields missing, before DRR's validators", `{"password":"x"}`,
			`{"user_id":["This field is required."],"timestamp":["This field is required."],` +
				`"signature":["This field is required."],"password_confirm":["This field is required."]}`},
	} {
		r := harness.Call(t, api+"reset-password/", tt.body)
		if r.Status != 400 || strings.TrimSpace(r.Raw) != tt.want {
			t.Errorf("%s: %d %s\nwant 400 %s", tt.name, r.Status, r.Raw, tt.want)
		}
	}

	long := strings.Repeat("Lorem ipsum dolor sit amet 42 ", 166) + strings.Repeat("!", 20)
	if n := utf8.RuneCountInString(long); n != 5000 {
		t.Fatalf("the long password has %d characters", n)
	}
	r := harness.Call(t, api+"reset-password/", body(long, long))
	harness.WantDetail(t, "a 5,000-character password", r, 200, "Reset password successful")
	s.wantLogin(t, "alice", long)

	huge := strings.Repeat("x", 64<<10)
	harness.WantDetail(t, "a body over 64 KiB", harness.Call(t, api+"reset-password/", body(huge, huge)), 413, "Request body is too large.")
}

// TestDjangoActiveUsersOnly: by default, as in DRR, inactive users and users with
// an unusable password get links; with RESET_PASSWORD_ACTIVE_USERS_ONLY=true they
// get what an unknown login gets and no e-mail, as from Django's PasswordResetForm.
// The same service warns at start that two users share an address that is a login,
// and sends its mail with VERIFICATION_REPLY_TO_EMAIL's Reply-To.
func TestDjangoActiveUsersOnly(t *testing.T) {
	dj := djangotest.Start(t)
	s := newDjangoSite(t, dj, map[string]string{"alice": "", "ivan": "", "uma": "!Qx3rT7wMnB2vK9pLz4hJc8fYd6sGa1eUo5iNy0Rb",
		"ann": "", "anna": ""})
	s.set(t, "ivan", bson.D{{Key: "is_active", Value: false}})
	s.set(t, "anna", bson.D{{Key: "email", Value: "ann@example.com"}})

	first, api := s.serve(t)
	for _, name := range []string{"ivan", "uma"} {
		harness.WantDetail(t, name+", by default", harness.SendLink(t, api, name), 200, "Reset link sent")
		harness.AwaitMails(t, s.sg, name+"@example.com", reset.KindResetLink, 1)
	}
	// The two services share one outbox: the first, which sets no Reply-To, must
	// not deliver what the second queues.
	if err := first.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	first.Wait()

	p, api := s.serve(t, "RESET_PASSWORD_ACTIVE_USERS_ONLY=true", "USER_LOGIN_FIELDS=username,email",
		"VERIFICATION_REPLY_TO_EMAIL=Support <support@example.com>")
	p.Await(t, regexp.MustCompile(`several users share an e-mail address.*"field":"email".*"shared_addresses":1`))
	for _, name := range []string{"ivan", "uma"} {
		harness.WantDetail(t, name+", active users only", harness.SendLink(t, api, name), 400, "User not found")
	}
	harness.WantDetail(t, "alice, active users only", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	m := harness.AwaitMails(t, s.sg, "alice@example.com", reset.KindResetLink, 1)[0]
	if m.ReplyTo != "Support <support@example.com>" {
		t.Errorf("Reply-To %q, want VERIFICATION_REPLY_TO_EMAIL", m.ReplyTo)
	}
	for _, name := range []string{"ivan", "uma"} {
		if n := len(harness.MailsTo(s.sg, name+"@example.com", reset.KindResetLink)); n != 1 {
			t.Errorf("%s got %d links in all, want the one from the default service", name, n)
		}
	}
}
