package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/app"
)

// TestUnsafeDefaultsAreNamed: outside demo mode, each of DRR's unsafe defaults gets
// one warning that names the variable and the value to set; safe values, demo mode
// and a disabled workflow get none.
func TestUnsafeDefaultsAreNamed(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want []string // the value each warning must tell to set
	}{
		{"production defaults", production, []string{"set RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false",
			"set RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true"}},
		{"one-time links", append(slices.Clone(production), "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true"),
			[]string{"set RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false"}},
		{"safe values", append(slices.Clone(production), "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true",
			"RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false"), nil},
		{"demo mode", nil, nil},
		{"disabled", append(slices.Clone(production), "RESET_PASSWORD_VERIFICATION_ENABLED=false"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := app.Load(c.env)
			if err != nil {
				t.Fatal(err)
			}
			got := app.UnsafeDefaults(cfg)
			if len(got) != len(c.want) {
				t.Fatalf("warnings %q, want %d", got, len(c.want))
			}
			for i, w := range c.want {
				if !strings.HasSuffix(got[i], w) {
					t.Errorf("warning %q does not end with %q", got[i], w)
				}
			}
		})
	}
}
