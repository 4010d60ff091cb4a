package app

import (
	"log/slog"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// OutboxSettings say how e-mails wait for and get delivery. Their defaults are the
// domain's own, outbox.DefaultConfig (see outboxDefaults): one source of truth,
// which the simulation and the tests of other packages share.
type OutboxSettings struct {
	Workers      int           `env:"MAIL_WORKERS"`
	PollInterval time.Duration `env:"OUTBOX_POLL_INTERVAL"`
	Lease        time.Duration `env:"MAIL_LEASE"`
	MaxAge       time.Duration `env:"MAIL_MAX_AGE"`
	Retention    time.Duration `env:"OUTBOX_RETENTION"`
	RetryMin     time.Duration `env:"MAIL_RETRY_MIN"`
	RetryMax     time.Duration `env:"MAIL_RETRY_MAX"`
}

// outboxDefaults are the settings Load starts from, outbox.DefaultConfig's: a
// variable that is unset or empty keeps its default, as with an envDefault tag.
func outboxDefaults() OutboxSettings {
	d := outbox.DefaultConfig()
	return OutboxSettings{Workers: d.Workers, PollInterval: d.PollInterval, Lease: d.Lease, MaxAge: d.MaxAge,
		Retention: d.Retention, RetryMin: d.RetryMin, RetryMax: d.RetryMax}
}

func (o OutboxSettings) problems() []error { return Problems(o.dispatcherConfig(0, nil).Validate()) }

// dispatcherConfig is the outbox dispatcher's share of the settings, with the
// shutdown grace and the delivery outcomes announced as events. A password-changed
// notice and events are never given up for their age (MAIL_MAX_AGE): they tell of
// what happened however late they come.
func (o OutboxSettings) dispatcherConfig(grace time.Duration, events []string) outbox.Config {
	return outbox.Config{Workers: o.Workers, PollInterval: o.PollInterval, Lease: o.Lease, MaxAge: o.MaxAge,
		KeepTrying: append([]string{reset.KindPasswordChanged}, event.Kinds(event.Types)...),
		Events:     events, Retention: o.Retention, RetryMin: o.RetryMin, RetryMax: o.RetryMax, Grace: grace}
}

// ProvideDispatcher returns the outbox dispatcher of this process.
func ProvideDispatcher(cfg Config, box ports.Outbox, p outbox.Provider, clock ports.Clock, log *slog.Logger,
	events *audit.Log) *outbox.Dispatcher {
	dc := cfg.Outbox.dispatcherConfig(cfg.HTTP.ShutdownGrace, cfg.Events.outcomes())
	return outbox.NewDispatcher(dc, box, p, clock, log, events)
}
