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

func TestDisabledNeedsNoLinkSettings(t *testing.T) {
	_, err := app.Load([]string{"MONGODB_URI=mongodb://db/", "SECRET_KEY=0123456789abcdef0123456789abcdef",
		"RESET_PASSWORD_VERIFICATION_ENABLED=false", "SENDGRID_API_KEY=SG.x"})
	if err != nil {
		t.Fatalf("disabled service refused: %v", err)
	}
}

// TestLinksClientShare: RESET_PASSWORD_LINKS_CLIENT_SHARE is the percentage of the
// hourly link cap one client gets (issue 18 item 4), at least one link while both
// are on; 0 or an hourly cap of 0 turns it off.
func TestLinksClientShare(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want int
	}{
		{nil, 50},
		{[]string{"RESET_PASSWORD_LINKS_CLIENT_SHARE=20"}, 200},
		{[]string{"RESET_PASSWORD_LINKS_PER_HOUR=10"}, 1},
		{[]string{"RESET_PASSWORD_LINKS_CLIENT_SHARE=0"}, 0},
		{[]string{"RESET_PASSWORD_LINKS_PER_HOUR=0"}, 0},
	} {
		cfg, err := app.Load(append(slices.Clone(production), c.env...))
		if err != nil {
			t.Fatal(err)
		}
		if got := app.ProvideResetConfig(cfg, app.Listener{}).LinksPerClient; got != c.want {
			t.Errorf("%q: %d links per client, want %d", c.env, got, c.want)
		}
	}
	for _, bad := range []string{"-1", "101"} {
		wantProblems(t, append(slices.Clone(production), "RESET_PASSWORD_LINKS_CLIENT_SHARE="+bad),
			"RESET_PASSWORD_LINKS_CLIENT_SHARE is "+bad+"; it must be a percentage from 0 (off) to 100")
	}
}
