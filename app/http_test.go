package app_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/app"
)

// TestRatesAndProxiesParsedAtLoad: RATE_LIMIT_* and TRUSTED_PROXIES are parsed once,
// as the configuration is read: their values reach the HTTP adapter as they were
// parsed, and a bad one is a load error that names its variable (each bad proxy
// entry on a line of its own).
func TestRatesAndProxiesParsedAtLoad(t *testing.T) {
	cfg, err := app.Load(append(slices.Clone(production), "RATE_LIMIT_SEND_LINK=3/1m", "RATE_LIMIT_RESET_PASSWORD=off",
		"TRUSTED_PROXIES=10.0.0.0/8,::ffff:127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	hc := app.ProvideHTTPConfig(cfg, apihttp.Operations{}, nil)
	wantProxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	if hc.SendLinkRate != (apihttp.Rate{Count: 3, Window: time.Minute}) || hc.ResetRate != (apihttp.Rate{}) ||
		!slices.Equal(hc.TrustedProxies, wantProxies) {
		t.Errorf("the API got rates %+v, %+v and proxies %v", hc.SendLinkRate, hc.ResetRate, hc.TrustedProxies)
	}
	cfg, err = app.Load(production)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.SendLinkRate != (app.Rate{Count: 10, Window: 10 * time.Minute}) || cfg.HTTP.ResetRate != (app.Rate{Count: 20, Window: 10 * time.Minute}) {
		t.Errorf("default rates %+v, %+v; want 10/10m and 20/10m", cfg.HTTP.SendLinkRate, cfg.HTTP.ResetRate)
	}
	for _, bad := range []string{"ten", "10", "0/1m", "10/soon", "10/-1m"} {
		wantProblems(t, append(slices.Clone(production), "RATE_LIMIT_RESET_PASSWORD="+bad),
			`RATE_LIMIT_RESET_PASSWORD: "`+bad+`" is not a rate such as 10/10m`)
	}
	err = wantProblems(t, append(slices.Clone(production), "TRUSTED_PROXIES=10.0.0.1,proxy.example,10.0.0.0/33"),
		`TRUSTED_PROXIES entry "proxy.example" is neither an address nor a network`,
		`TRUSTED_PROXIES entry "10.0.0.0/33" is neither an address nor a network`)
	if err != nil && strings.Contains(err.Error(), "parse error") {
		t.Errorf("the library's wording leaks: %v", err)
	}
}

// TestParseErrorsNameTheirVariable: a value that does not parse is refused naming
// its own variable, also where sections share a Go field name (SMTP's, the events'
// and PostgreSQL's Timeout). Before the sections, SMTP_TIMEOUT=soon was reported
// as DATABASE_TIMEOUT's problem.
func TestParseErrorsNameTheirVariable(t *testing.T) {
	for _, name := range []string{"SMTP_TIMEOUT", "EVENTS_TIMEOUT", "DATABASE_TIMEOUT", "HIBP_TIMEOUT", "SENDGRID_TIMEOUT",
		"MAIL_LEASE", "HASH_QUEUE_TIMEOUT"} {
		wantProblems(t, append(slices.Clone(production), name+"=soon"), name+`: unable to parse duration: time: invalid duration "soon"`)
	}
	for _, name := range []string{"ARGON2_ITERATIONS", "DJANGO_ARGON2_ITERATIONS", "SMTP_POOL_SIZE", "MAIL_WORKERS"} {
		wantProblems(t, append(slices.Clone(production), name+"=many"), name+": ")
	}
	// Two of the same Go name and type at once: each line names its own.
	wantProblems(t, append(slices.Clone(production), "SMTP_TIMEOUT=10s", "EVENTS_TIMEOUT=soon", "DATABASE_TIMEOUT=later"),
		`EVENTS_TIMEOUT: unable to parse duration: time: invalid duration "soon"`,
		`DATABASE_TIMEOUT: unable to parse duration: time: invalid duration "later"`)
	wantProblems(t, append(slices.Clone(production), "SMTP_TIMEOUT=soon", "EVENTS_TIMEOUT=soon"),
		`SMTP_TIMEOUT: unable to parse duration`, `EVENTS_TIMEOUT: unable to parse duration`)
}

// TestClientIPv6Prefix: CLIENT_IPV6_PREFIX reaches the API (default 64) and is
// refused outside 32..128.
func TestClientIPv6Prefix(t *testing.T) {
	for env, want := range map[string]int{"": 64, "CLIENT_IPV6_PREFIX=56": 56, "CLIENT_IPV6_PREFIX=128": 128} {
		cfg, err := app.Load(append(slices.Clone(production), env))
		if err != nil {
			t.Fatal(err)
		}
		if hc := app.ProvideHTTPConfig(cfg, apihttp.Operations{}, nil); hc.ClientIPv6Prefix != want {
			t.Errorf("%q: prefix %d, want %d", env, hc.ClientIPv6Prefix, want)
		}
	}
	for _, bad := range []string{"0", "16", "129", "-64"} {
		wantProblems(t, append(slices.Clone(production), "CLIENT_IPV6_PREFIX="+bad), "CLIENT_IPV6_PREFIX is "+bad+"; it must be from 32 to 128")
	}
}
