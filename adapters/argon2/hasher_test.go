package argon2_test

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// cheap keeps the tests fast; the defaults have a test of their own.
var cheap = argon2.Params{Memory: 64, Iterations: 1, Parallelism: 1}

var _ ports.PasswordHasher = (*argon2.Hasher)(nil)

func TestHasherContract(t *testing.T) {
	contract.TestPasswordHasher(t, argon2.NewHasher(cheap))
}

func TestParamsInHash(t *testing.T) {
	hash, err := argon2.NewHasher(argon2.Params{Memory: 128, Iterations: 3, Parallelism: 2}).Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=128,t=3,p=2" {
		t.Fatalf("hash %s is not $argon2id$v=19$m=128,t=3,p=2$salt$key", hash)
	}
	// Unpadded base64 of a 16-byte salt and a 32-byte key.
	if len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Errorf("salt %q or key %q has the wrong length", parts[4], parts[5])
	}
	// Verify reads the parameters from the hash, not from the hasher.
	if ok, err := argon2.NewHasher(cheap).Verify(hash, "pw"); !ok || err != nil {
		t.Errorf("Verify with other params = %v, %v; want true, nil", ok, err)
	}
}

func TestDefaultParams(t *testing.T) {
	want := argon2.Params{Memory: 19456, Iterations: 2, Parallelism: 1}
	if got := argon2.DefaultParams(); got != want {
		t.Errorf("DefaultParams() = %+v, want %+v", got, want)
	}
	for name, h := range map[string]*argon2.Hasher{
		"DefaultParams": argon2.NewHasher(argon2.DefaultParams()),
		"zero Params":   argon2.NewHasher(argon2.Params{}),
	} {
		hash, err := h.Hash("pw")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("%s: hash %s lacks the default parameters", name, hash)
		}
		if ok, err := h.Verify(hash, "pw"); !ok || err != nil {
			t.Errorf("%s: Verify = %v, %v", name, ok, err)
		}
	}
}

func TestMalformedHash(t *testing.T) {
	h := argon2.NewHasher(cheap)
	good, _ := h.Hash("pw")
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$04$abcdefghijklmnopqrstuuWbVhT7dT0PZJ8S7P3ZTbRtRMXyNOBz6",
		"argon2i":        with(1, "argon2i"),
		"other version":  with(2, "v=16"),
		"no params":      with(3, "x"),
		"zero time":      with(3, "m=64,t=0,p=1"),
		"zero lanes":     with(3, "m=64,t=1,p=0"),
		"huge memory":    with(3, "m=4294967295,t=1,p=1"),
		"bad salt":       with(4, "!!"),
		"empty key":      with(5, ""),
		"missing a part": strings.Join(parts[:5], "$"),
	}
	for name, hash := range tests {
		t.Run(name, func(t *testing.T) {
			if ok, err := h.Verify(hash, "pw"); ok || err == nil {
				t.Errorf("Verify(%q) = %v, %v; want an error", hash, ok, err)
			}
		})
	}
}

func BenchmarkHash(b *testing.B) {
	h := argon2.NewHasher(argon2.DefaultParams())
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
