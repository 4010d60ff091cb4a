package argon2_test

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/argon2"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		p    argon2.Params
		want []string // one per expected problem; none for valid parameters
	}{
		{"defaults", argon2.DefaultParams(), nil},
		{"smallest", argon2.Params{Memory: 8, Iterations: 1, Parallelism: 1}, nil},
		{"8 KiB a lane", argon2.Params{Memory: 32, Iterations: 1, Parallelism: 4}, nil},
		{"4 GiB", argon2.Params{Memory: 4 << 20, Iterations: 1, Parallelism: 255}, nil},
		{"zero", argon2.Params{}, []string{"ARGON2_ITERATIONS", "ARGON2_PARALLELISM", "ARGON2_MEMORY_KIB is 0; it must be at least 8"}},
		{"no iterations", argon2.Params{Memory: 64, Parallelism: 1}, []string{"ARGON2_ITERATIONS must be at least 1"}},
		{"no lanes", argon2.Params{Memory: 64, Iterations: 1}, []string{"ARGON2_PARALLELISM must be at least 1"}},
		{"too little memory", argon2.Params{Memory: 7, Iterations: 1, Parallelism: 1}, []string{"ARGON2_MEMORY_KIB is 7; it must be at least 8"}},
		{"too little for the lanes", argon2.Params{Memory: 31, Iterations: 1, Parallelism: 4}, []string{"at least 32", "ARGON2_PARALLELISM"}},
		{"most lanes", argon2.Params{Memory: 2039, Iterations: 1, Parallelism: 255}, []string{"at least 2040"}},
		{"over 4 GiB", argon2.Params{Memory: 4<<20 + 1, Iterations: 3, Parallelism: 1}, []string{"ARGON2_MEMORY_KIB is 4194305; it must be at most 4194304"}},
		{"largest uint32", argon2.Params{Memory: 1<<32 - 1, Iterations: 1, Parallelism: 1}, []string{"at most"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Validate(%+v) = %v, want nil", tt.p, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error", tt.p)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestValidateListsEachProblem checks that problems come one a line, as the
// configuration layer reports them.
func TestValidateListsEachProblem(t *testing.T) {
	err := argon2.Params{Memory: 1 << 31}.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 3 {
		t.Fatalf("error %q is not three joined errors", err)
	}
	if n := strings.Count(err.Error(), "\n"); n != 2 {
		t.Errorf("error has %d line breaks, want 2: %q", n, err)
	}
}

// TestValidParamsHash checks that parameters Validate accepts at its lower bound
// make hashes that verify.
func TestValidParamsHash(t *testing.T) {
	p := argon2.Params{Memory: 16, Iterations: 1, Parallelism: 2}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	h := argon2.NewHasher(p)
	hash, err := h.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hash, "$m=16,t=1,p=2$") {
		t.Errorf("hash %s does not have the parameters asked for", hash)
	}
	if ok, err := h.Verify(hash, "pw"); !ok || err != nil {
		t.Errorf("Verify = %v, %v", ok, err)
	}
}
