package bcrypt_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/bcrypt"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// testCost is bcrypt's minimum, to keep the tests fast.
const testCost = 4

var _ ports.PasswordHasher = (*bcrypt.Hasher)(nil)

func TestHasherContract(t *testing.T) {
	contract.TestPasswordHasher(t, bcrypt.NewHasher(testCost))
}

func TestLongerThan72Bytes(t *testing.T) {
	h := bcrypt.NewHasher(testCost)
	if _, err := h.Hash(strings.Repeat("x", 73)); !errors.Is(err, ports.ErrPasswordTooLong) {
		t.Errorf("Hash of 73 bytes: err = %v, want ErrPasswordTooLong", err)
	}
	// bcrypt itself would accept the 72-byte prefix plus anything; Verify must not.
	hash, err := h.Hash(strings.Repeat("x", 72))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(hash, strings.Repeat("x", 73)); ok || err != nil {
		t.Errorf("Verify of 73 bytes against the 72-byte hash = %v, %v; want false, nil", ok, err)
	}
	if _, err := h.Verify("nonsense", strings.Repeat("x", 73)); err == nil {
		t.Error("Verify of a long password against a malformed hash: no error")
	}
}

func TestCostInHash(t *testing.T) {
	for _, tt := range []struct {
		cost   int
		prefix string
	}{{4, "$2a$04$"}, {5, "$2a$05$"}} {
		hash, err := bcrypt.NewHasher(tt.cost).Hash("pw")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, tt.prefix) {
			t.Errorf("cost %d: hash %s lacks %s", tt.cost, hash, tt.prefix)
		}
	}
	// Verify takes the cost from the hash, whatever the hasher's own.
	hash, _ := bcrypt.NewHasher(5).Hash("pw")
	if ok, err := bcrypt.NewHasher(testCost).Verify(hash, "pw"); !ok || err != nil {
		t.Errorf("Verify across costs = %v, %v", ok, err)
	}
}

func TestDefaultCost(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes at the default cost")
	}
	// One hash only: at cost 12 it takes a quarter second, twenty times that under
	// the race detector. Verify at other costs is covered by TestCostInHash.
	hash, err := bcrypt.NewHasher(0).Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$2a$12$") {
		t.Errorf("hash %s is not at cost %d", hash, bcrypt.DefaultCost)
	}
}

func TestMalformedHash(t *testing.T) {
	h := bcrypt.NewHasher(testCost)
	good, _ := h.Hash("pw")
	for _, hash := range []string{
		"",
		"nonsense",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		strings.Replace(good, "$04$", "$99$", 1),
		"x" + good[1:],
	} {
		if ok, err := h.Verify(hash, "pw"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", hash, ok, err)
		}
	}
}

func TestCostOutOfRange(t *testing.T) {
	if _, err := bcrypt.NewHasher(32).Hash("pw"); err == nil {
		t.Error("Hash at cost 32: no error")
	}
}

func BenchmarkHash(b *testing.B) {
	h := bcrypt.NewHasher(bcrypt.DefaultCost)
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
