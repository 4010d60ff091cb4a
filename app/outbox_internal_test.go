package app

import (
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/outbox"
)

// TestOutboxDefaultsAreTheDomains: the outbox's defaults are written once, in
// outbox.DefaultConfig; an unset or empty variable keeps them, and an explicit 0
// (OUTBOX_RETENTION=0: keep for ever) is read as 0.
func TestOutboxDefaultsAreTheDomains(t *testing.T) {
	want := outbox.DefaultConfig()
	for _, env := range [][]string{nil, {"MAIL_WORKERS=", "MAIL_LEASE=", "OUTBOX_RETENTION="}} {
		cfg, err := Load(env)
		if err != nil {
			t.Fatal(err)
		}
		got := cfg.Outbox.dispatcherConfig(want.Grace, nil)
		if got.Workers != want.Workers || got.PollInterval != want.PollInterval || got.Lease != want.Lease ||
			got.MaxAge != want.MaxAge || got.Retention != want.Retention || got.RetryMin != want.RetryMin ||
			got.RetryMax != want.RetryMax {
			t.Errorf("%q: the outbox settings are %+v; want outbox.DefaultConfig's %+v", env, got, want)
		}
	}
	cfg, err := Load([]string{"OUTBOX_RETENTION=0", "MAIL_WORKERS=3", "MAIL_LEASE=2m"})
	if err != nil {
		t.Fatal(err)
	}
	if o := cfg.Outbox; o.Retention != 0 || o.Workers != 3 || o.Lease != 2*time.Minute {
		t.Errorf("set values not read: %+v", o)
	}
}
