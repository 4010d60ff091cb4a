package django_test

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/django"
	"github.com/pwreset/pwreset/adapters/django/djangotest"
	"github.com/pwreset/pwreset/adapters/hashpool"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// cheapHasher is one of pwreset's Django hashers at a low cost, and how Django sees it.
type cheapHasher struct {
	hasher ports.PasswordHasher
	django string         // Django's name of the hasher
	cost   map[string]int // the same cost for Django's make_password
	prefix string         // how every hash begins
	lib    string         // the library Django needs for it, if any
}

// cheap keeps the tests fast; the defaults have a test of their own.
var cheap = map[string]cheapHasher{
	"pbkdf2_sha256": {django.NewPBKDF2Hasher(1000), "pbkdf2_sha256", map[string]int{"iterations": 1000}, "pbkdf2_sha256$1000$", ""},
	"argon2": {django.NewArgon2Hasher(django.Argon2Params{Memory: 64, Iterations: 1, Parallelism: 2}), "argon2",
		map[string]int{"memory_cost": 64, "time_cost": 1, "parallelism": 2}, "argon2$argon2id$v=19$m=64,t=1,p=2$", "argon2"},
	"bcrypt_sha256": {django.NewBcryptSHA256Hasher(4), "bcrypt_sha256", map[string]int{"rounds": 4}, "bcrypt_sha256$$2b$04$", "bcrypt"},
}

var (
	_ ports.PasswordHasher = (*django.PBKDF2Hasher)(nil)
	_ ports.PasswordHasher = (*django.Argon2Hasher)(nil)
	_ ports.PasswordHasher = (*django.BcryptSHA256Hasher)(nil)
)

func TestHasherContract(t *testing.T) {
	for name, h := range cheap {
		t.Run(name, func(t *testing.T) { contract.TestPasswordHasher(t, h.hasher) })
		t.Run(name+" on the hash pool", func(t *testing.T) { contract.TestPasswordHasher(t, hashpool.New(h.hasher, 2)) })
	}
}

// passwords are what Django must accept: ASCII, UTF-8, empty, longer than bcrypt's
// 72 bytes, and the characters of the formats' separators.
var passwords = []string{"correct horse battery staple", "pässwörd ユーザー 🙂", "", strings.Repeat("long", 40), "a$b:c'\""}

// TestDjangoAcceptsPwresetHashes: every hash pwreset writes passes Django's
// check_password with its password, and fails with another.
func TestDjangoAcceptsPwresetHashes(t *testing.T) {
	eachWithDjango(t, func(t *testing.T, dj *djangotest.Django, h cheapHasher) {
		var reqs []djangotest.Request
		var want []bool
		for _, pw := range passwords {
			hash, err := h.hasher.Hash(pw)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(hash, h.prefix) {
				t.Fatalf("hash %s does not begin with %s", hash, h.prefix)
			}
			reqs = append(reqs, djangotest.Request{Op: "check_password", Password: pw, Encoded: hash},
				djangotest.Request{Op: "check_password", Password: pw + "x", Encoded: hash})
			want = append(want, true, false)
		}
		for i, a := range dj.Ask(t, reqs...) {
			if a.Valid != want[i] {
				t.Errorf("Django's check_password(%q, %s) = %v, want %v", reqs[i].Password, reqs[i].Encoded, a.Valid, want[i])
			}
		}
	})
}

// TestPwresetVerifiesDjangoHashes: pwreset reads the hashes Django's make_password
// writes, the other way round.
func TestPwresetVerifiesDjangoHashes(t *testing.T) {
	eachWithDjango(t, func(t *testing.T, dj *djangotest.Django, h cheapHasher) {
		var reqs []djangotest.Request
		for _, pw := range passwords {
			reqs = append(reqs, djangotest.Request{Op: "make_password", Password: pw, Hasher: h.django, Cost: h.cost})
		}
		for i, a := range dj.Ask(t, reqs...) {
			pw := reqs[i].Password
			if ok, err := h.hasher.Verify(a.Encoded, pw); !ok || err != nil {
				t.Errorf("Verify(Django's %s, %q) = %v, %v; want true", a.Encoded, pw, ok, err)
			}
			if ok, err := h.hasher.Verify(a.Encoded, pw+"x"); ok || err != nil {
				t.Errorf("Verify(Django's %s, wrong password) = %v, %v; want false, nil", a.Encoded, ok, err)
			}
		}
	})
}

// eachWithDjango runs f on each cheap hasher whose library Django can load, as a
// subtest, against one Django.
func eachWithDjango(t *testing.T, f func(t *testing.T, dj *djangotest.Django, h cheapHasher)) {
	dj := djangotest.Start(t)
	for name, h := range cheap {
		t.Run(name, func(t *testing.T) {
			if h.lib != "" {
				dj.RequireLibrary(t, h.lib)
			}
			f(t, dj, h)
		})
	}
}

// TestForeignHashes: a stored hash in a format a hasher does not write is an error,
// never a match, whatever the password.
func TestForeignHashes(t *testing.T) {
	foreign := []string{
		"", "!unusablepasswordXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "md5$salt$1bc29b36f623ba82aaf6724fd3b16718",
		"pbkdf2_sha1$260000$salt$aGFzaA==", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		"$2a$04$abcdefghijklmnopqrstuuWbVhT7dT0PZJ8S7P3ZTbRtRMXyNOBz6", "bcrypt$$2b$12$abcdefghijklmnopqrstuu",
		"pbkdf2_sha256$0$salt$aGFzaA==", "pbkdf2_sha256$999999999999$salt$aGFzaA==", "pbkdf2_sha256$1000$$aGFzaA==",
		"pbkdf2_sha256$x$salt$aGFzaA==", "argon2$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		"argon2$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		"argon2$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		"argon2$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		"argon2$argon2id$v=19$m=7,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		"argon2$argon2id$v=19$m=64,t=1,p=1$$aGFzaGhhc2hoYXNo", "argon2$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNo",
		"argon2$argon2id$v=19$m=064,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", "bcrypt_sha256$$2b$04$short",
	}
	for name, h := range cheap {
		for _, hash := range foreign {
			for _, pw := range []string{"", "x", "password"} {
				if ok, err := h.hasher.Verify(hash, pw); ok || err == nil {
					t.Errorf("%s: Verify(%q, %q) = %v, %v; want false and an error", name, hash, pw, ok, err)
				}
			}
		}
	}
}

// TestDefaults: a zero cost takes Django's default. Hashes with those costs take a
// second each (BenchmarkHash), so the costs are read rather than hashed with; the
// cheap hashers show that the costs reach the hashes.
func TestDefaults(t *testing.T) {
	if got := django.NewArgon2Hasher(django.Argon2Params{}).Params(); got != (django.Argon2Params{Memory: 102400, Iterations: 2, Parallelism: 8}) {
		t.Errorf("argon2 defaults %+v, want Django's m=102400, t=2, p=8", got)
	}
	if got := django.NewArgon2Hasher(django.Argon2Params{Memory: 64}).Params(); got != (django.Argon2Params{Memory: 64, Iterations: 2, Parallelism: 8}) {
		t.Errorf("argon2 with only the memory set: %+v", got)
	}
	if got := django.NewBcryptSHA256Hasher(0).Cost(); got != 12 {
		t.Errorf("bcrypt_sha256 default cost %d, want Django's 12", got)
	}
	if got := django.NewPBKDF2Hasher(0).Iterations(); got != 1_000_000 {
		t.Errorf("pbkdf2_sha256 default iterations %d, want Django 5.2's 1000000", got)
	}
}

func TestArgon2HashShape(t *testing.T) {
	hash, err := cheap["argon2"].hasher.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(hash, "$")
	// A 22-character salt of Django's alphabet, in unpadded base64 (30 characters),
	// and a 32-byte hash (43 characters).
	if len(parts) != 6 || len(parts[4]) != 30 || len(parts[5]) != 43 {
		t.Fatalf("hash %s has not Django's shape", hash)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		p    django.Argon2Params
		want string
	}{
		{django.DefaultArgon2Params(), ""},
		{django.Argon2Params{Memory: 8, Iterations: 1, Parallelism: 1}, ""},
		{django.Argon2Params{Memory: 63, Iterations: 1, Parallelism: 8}, "DJANGO_ARGON2_MEMORY_KIB is 63"},
		{django.Argon2Params{Memory: 4<<20 + 1, Iterations: 1, Parallelism: 1}, "DJANGO_ARGON2_MEMORY_KIB"},
		{django.Argon2Params{Memory: 64, Parallelism: 1}, "DJANGO_ARGON2_ITERATIONS"},
		{django.Argon2Params{Memory: 64, Iterations: 1}, "DJANGO_ARGON2_PARALLELISM"},
	} {
		err := tc.p.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.p, err, tc.want)
		}
	}
	for n, ok := range map[int]bool{1: true, 1_000_000: true, 20_000_000: true, 0: false, -1: false, 20_000_001: false} {
		if err := django.ValidatePBKDF2Iterations(n); (err == nil) != ok {
			t.Errorf("ValidatePBKDF2Iterations(%d) = %v", n, err)
		}
	}
}

// BenchmarkHash measures each hasher with Django's default costs.
func BenchmarkHash(b *testing.B) {
	for name, h := range map[string]ports.PasswordHasher{
		"pbkdf2_sha256 1000000":   django.NewPBKDF2Hasher(0),
		"argon2 m=102400,t=2,p=8": django.NewArgon2Hasher(django.Argon2Params{}),
		"bcrypt_sha256 12":        django.NewBcryptSHA256Hasher(0),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := h.Hash("correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
