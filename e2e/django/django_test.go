package django

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/django/djangotest"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/e2e/harness"
)

// The Django back end's keys: any strings, as Django takes them.
const (
	djangoKey    = "django-insecure-k3y of a Django project" // under 50 characters: a warning
	djangoOldKey = "the Django key before the last rotation"
)

// djangoSite is a Django user collection (auth_user, ObjectId _id, Django's hashes)
// served by pwreset with USER_SCHEMA=django.
type djangoSite struct {
	django *djangotest.Django
	db     *mongo.Database
	sg     *sendgridtest.Server
	users  map[string]bson.ObjectID // by username
}

// newDjangoSite stores the users with the given stored hashes; "" asks Django's
// make_password for one of harness.OldPassword.
func newDjangoSite(t *testing.T, dj *djangotest.Django, hashes map[string]string) *djangoSite {
	t.Helper()
	s := &djangoSite{django: dj, db: mongotest.NewDatabase(t), sg: sendgridtest.New(t), users: map[string]bson.ObjectID{}}
	for name, hash := range hashes {
		if hash == "" {
			hash = dj.Ask(t, djangotest.Request{Op: "make_password", Password: harness.OldPassword, Hasher: "pbkdf2_sha256",
				Cost: map[string]int{"iterations": 1000}})[0].Encoded
		}
		id := bson.NewObjectID()
		_, err := s.db.Collection("auth_user").InsertOne(context.Background(), bson.D{{Key: "_id", Value: id},
			{Key: "username", Value: name}, {Key: "email", Value: name + "@example.com"}, {Key: "password", Value: hash},
			{Key: "is_active", Value: true}, {Key: "is_staff", Value: false}})
		if err != nil {
			t.Fatal(err)
		}
		s.users[name] = id
	}
	return s
}

// serve starts pwreset on the site with USER_SCHEMA=django and Django's keys.
func (s *djangoSite) serve(t *testing.T, extra ...string) (*harness.Process, string) {
	env := append(harness.MailEnv(s.sg), "USER_SCHEMA=django", "SECRET_KEY="+djangoKey, "SECRET_KEY_FALLBACKS="+djangoOldKey,
		"DJANGO_PBKDF2_ITERATIONS=1000", "RESET_PASSWORD_LINK_COOLDOWN=0")
	return harness.Serve(t, mongotest.URI(t), s.db.Name(), append(env, extra...)...)
}

// hash returns the stored hash of a user.
func (s *djangoSite) hash(t *testing.T, name string) string {
	t.Helper()
	var doc struct {
		Password string `bson:"password"`
	}
	err := s.db.Collection("auth_user").FindOne(context.Background(), bson.D{{Key: "_id", Value: s.users[name]}}).Decode(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc.Password
}

// djangoLink is the link django-rest-registration would send the user, signed by
// Django itself with key; oneTime salts it with the user's stored hash.
func (s *djangoSite) djangoLink(t *testing.T, name, key string, oneTime bool) url.Values {
	t.Helper()
	req := djangotest.Request{Op: "sign", Secret: key, UserID: s.users[name].Hex(), Timestamp: time.Now().Unix()}
	if oneTime {
		h := s.hash(t, name)
		req.PasswordHash = &h
	}
	sig := s.django.Ask(t, req)[0].Signature
	return url.Values{"user_id": {req.UserID}, "timestamp": {strconv.FormatInt(req.Timestamp, 10)}, "signature": {sig}}
}

// djangoAccepts asks Django whether it takes the link, as DRR verifies it.
func (s *djangoSite) djangoAccepts(t *testing.T, l url.Values, name string, oneTime bool) bool {
	t.Helper()
	ts, _ := strconv.ParseInt(l.Get("timestamp"), 10, 64)
	req := djangotest.Request{Op: "verify", Secret: djangoKey, UserID: l.Get("user_id"), Timestamp: ts, Signature: l.Get("signature")}
	if oneTime {
		h := s.hash(t, name)
		req.PasswordHash = &h
	}
	return s.django.Ask(t, req)[0].Valid
}

// wantLogin fails the test unless Django's check_password takes the user's stored
// hash with password, and not with the old one.
func (s *djangoSite) wantLogin(t *testing.T, name, password string) {
	t.Helper()
	hash := s.hash(t, name)
	a := s.django.Ask(t, djangotest.Request{Op: "check_password", Password: password, Encoded: hash},
		djangotest.Request{Op: "check_password", Password: harness.OldPassword, Encoded: hash})
	if !a[0].Valid || a[1].Valid {
		t.Fatalf("Django's check_password on %s's hash %s: new password %v, old %v; want true, false", name, hash, a[0].Valid, a[1].Valid)
	}
}

// TestDjangoOneTimeLinks: with USER_SCHEMA=django and one-time links, links Django
// signed reset the password (with SECRET_KEY or a fallback), once; pwreset's links
// verify in Django; the new hash passes Django's check_password.
func TestDjangoOneTimeLinks(t *testing.T) {
	dj := djangotest.Start(t)
	s := newDjangoSite(t, dj, map[string]string{"alice": "", "bob": "", "carol": ""})
	p, api := s.serve(t, "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true")
	p.Await(t, regexp.MustCompile(`SECRET_KEY has 39 characters; Django warns under 50`))

	alice := s.djangoLink(t, "alice", djangoKey, true)
	harness.WantDetail(t, "Django's one-time link", harness.ResetWith(t, api, alice, harness.NewPassword), 200, "Reset password successful")
	s.wantLogin(t, "alice", harness.NewPassword)
	harness.WantDetail(t, "Django's one-time link, second use", harness.ResetWith(t, api, alice, "yet another passphrase 43"), 400, "Invalid signature")
	s.wantLogin(t, "alice", harness.NewPassword)

	bob := s.djangoLink(t, "bob", djangoOldKey, true)
	harness.WantDetail(t, "Django's one-time link signed with the fallback key", harness.ResetWith(t, api, bob, harness.NewPassword), 200, "Reset password successful")
	s.wantLogin(t, "bob", harness.NewPassword)

	harness.WantDetail(t, "send link", harness.SendLink(t, api, "carol"), 200, "Reset link sent")
	carol := harness.LinkIn(t, harness.AwaitMails(t, s.sg, "carol@example.com", reset.KindResetLink, 1)[0])
	if !s.djangoAccepts(t, carol, "carol", true) {
		t.Fatalf("Django refuses pwreset's one-time link %v", carol)
	}
	harness.WantDetail(t, "pwreset's one-time link", harness.ResetWith(t, api, carol, harness.NewPassword), 200, "Reset password successful")
	if s.djangoAccepts(t, carol, "carol", true) {
		t.Fatal("Django still takes the one-time link after the password changed")
	}
	s.wantLogin(t, "carol", harness.NewPassword)
}

// TestDjangoPlainLinks: the same without one-time use: a link verifies as long as it
// lives, whatever the password; pwreset's links verify in Django.
func TestDjangoPlainLinks(t *testing.T) {
	dj := djangotest.Start(t)
	s := newDjangoSite(t, dj, map[string]string{"alice": "", "bob": ""})
	_, api := s.serve(t)

	alice := s.djangoLink(t, "alice", djangoKey, false)
	harness.WantDetail(t, "Django's link", harness.ResetWith(t, api, alice, harness.NewPassword), 200, "Reset password successful")
	s.wantLogin(t, "alice", harness.NewPassword)
	harness.WantDetail(t, "Django's link, used again", harness.ResetWith(t, api, alice, "yet another passphrase 43"), 200, "Reset password successful")
	s.wantLogin(t, "alice", "yet another passphrase 43")

	bob := s.djangoLink(t, "bob", djangoOldKey, false)
	harness.WantDetail(t, "Django's link signed with the fallback key", harness.ResetWith(t, api, bob, harness.NewPassword), 200, "Reset password successful")

	harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	own := harness.LinkIn(t, harness.AwaitMails(t, s.sg, "alice@example.com", reset.KindResetLink, 1)[0])
	if !s.djangoAccepts(t, own, "alice", false) {
		t.Fatalf("Django refuses pwreset's link %v", own)
	}
}

// TestDjangoBadLinks: DRR's answers to bad input, and nothing changes. A stored hash
// in a format pwreset does not write (Django's unusable password, an old MD5) is only
// ever the one-time salt.
func TestDjangoBadLinks(t *testing.T) {
	dj := djangotest.Start(t)
	s := newDjangoSite(t, dj, map[string]string{"alice": "",
		"dave": "!Qx3rT7wMnB2vK9pLz4hJc8fYd6sGa1eUo5iNy0Rb", "erin": "md5$salt$1bc29b36f623ba82aaf6724fd3b16718"})
	_, api := s.serve(t, "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true")
	before := map[string]string{"alice": s.hash(t, "alice"), "dave": s.hash(t, "dave"), "erin": s.hash(t, "erin")}

	good := s.djangoLink(t, "alice", djangoKey, true)
	with := func(key, value string) url.Values {
		l := url.Values{}
		for k, v := range good {
			l[k] = v
		}
		l.Set(key, value)
		return l
	}
	c := link.Claims{UserID: good.Get("user_id")}
	c.Timestamp, _ = strconv.ParseInt(good.Get("timestamp"), 10, 64)
	for what, l := range map[string]url.Values{
		"tampered signature":      with("signature", harness.Tamper(good.Get("signature"))),
		"padded signature":        with("signature", good.Get("signature")+"="),
		"malformed signature":     with("signature", "!!!"),
		"empty signature":         with("signature", ""),
		"pwreset's own format":    with("signature", link.NewSigner([]byte(djangoKey), true).Sign(c)),
		"a key Django never had":  s.djangoLink(t, "alice", "some other key", true),
		"plain link":              s.djangoLink(t, "alice", djangoKey, false),
		"unknown user":            with("user_id", bson.NewObjectID().Hex()),
		"user_id not an ObjectId": with("user_id", "alice"),
		"user_id of a foreign id": with("user_id", `{"$ne": null}`),
		"other user":              with("user_id", s.users["dave"].Hex()),
	} {
		r := harness.ResetWith(t, api, l, harness.NewPassword)
		if what == "empty signature" {
			if r.Status != 400 || r.Body["signature"] == nil {
				t.Fatalf("%s: %d %s, want 400 naming the signature field", what, r.Status, r.Raw)
			}
			continue
		}
		harness.WantDetail(t, what, r, 400, "Invalid signature")
	}
	// The signature is checked first: a good link with a weak password is a policy
	// error, a bad one is only "Invalid signature".
	weak := harness.ResetWith(t, api, good, "123")
	if weak.Status != 400 || weak.Body["password"] == nil {
		t.Fatalf("good link, weak password: %d %s, want the password's errors", weak.Status, weak.Raw)
	}
	harness.WantDetail(t, "bad link, weak password", harness.ResetWith(t, api, with("signature", harness.Tamper(good.Get("signature"))), "123"), 400, "Invalid signature")
	for name, hash := range before {
		if got := s.hash(t, name); got != hash {
			t.Fatalf("%s's stored hash changed from %s to %s", name, hash, got)
		}
	}

	// Foreign stored hashes salt one-time links like any other.
	for _, name := range []string{"dave", "erin"} {
		harness.WantDetail(t, name+"'s Django link", harness.ResetWith(t, api, s.djangoLink(t, name, djangoKey, true), harness.NewPassword),
			200, "Reset password successful")
		s.wantLogin(t, name, harness.NewPassword)
	}
}
