package outbox_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/outbox"
)

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*outbox.Config)
		want   []string // parts of the error, one per problem; none for valid
	}{
		{"default", func(*outbox.Config) {}, nil},
		{"no workers", func(c *outbox.Config) { c.Workers = 0 }, []string{"MAIL_WORKERS"}},
		{"retry max below min", func(c *outbox.Config) { c.RetryMax = time.Second },
			[]string{"MAIL_RETRY_MAX (1s) must not be below MAIL_RETRY_MIN (2s)"}},
		{"all zero", func(c *outbox.Config) { *c = outbox.Config{} },
			[]string{"MAIL_WORKERS", "OUTBOX_POLL_INTERVAL", "MAIL_LEASE", "MAIL_MAX_AGE", "MAIL_RETRY_MIN"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := outbox.DefaultConfig()
			c.change(&cfg)
			err := cfg.Validate()
			if (err == nil) != (c.want == nil) {
				t.Fatalf("Validate() = %v; want problems %q", err, c.want)
			}
			for _, part := range c.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("Validate() = %v; want it to mention %q", err, part)
				}
			}
		})
	}
}

func TestRunRefusesAnUnusableConfig(t *testing.T) {
	d := outbox.NewDispatcher(outbox.Config{}, memory.NewOutbox(), &provider{}, clock{}, slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := d.Run(ctx); err == nil || !strings.Contains(err.Error(), "MAIL_WORKERS") {
		t.Fatalf("Run = %v; want the configuration refused", err)
	}
}
