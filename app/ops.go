package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
)

// OpsSettings say where the people who run pwreset find its metrics and why it is
// not ready, and how its log is written.
type OpsSettings struct {
	// MetricsAddr serves GET /metrics and a /readyz that says why on a listener of
	// its own (such as :9090, or 127.0.0.1:9090 to keep it on the host); empty: none.
	MetricsAddr string `env:"METRICS_ADDR"`
	// MetricsOnAPIAddr serves them on the API address too: the operator's explicit
	// choice, for an API that only trusted networks reach. The link outcomes counted
	// there tell which logins exist, and /readyz names the database.
	MetricsOnAPIAddr bool `env:"METRICS_ON_API_ADDR" envDefault:"false"`
	// LogFormat is json (the default) or text.
	LogFormat string `env:"LOG_FORMAT" envDefault:"json"`
}

// logNotices says at start-up where the operator endpoints are, when it is not where
// an operator might expect them.
func (o OpsSettings) logNotices(ctx context.Context, log *slog.Logger) {
	switch {
	case o.MetricsOnAPIAddr:
		log.WarnContext(ctx, "METRICS_ON_API_ADDR=true: /metrics, and /readyz with its reasons, are served on the API address; "+
			"keep that address away from the internet, or serve them on METRICS_ADDR alone")
	case o.MetricsAddr == "":
		log.InfoContext(ctx, "metrics are not served: set METRICS_ADDR (such as 127.0.0.1:9090) to serve /metrics apart from the API")
	}
}

func (o OpsSettings) problems() []error {
	var p []error
	if o.LogFormat != "json" && o.LogFormat != "text" {
		p = append(p, fmt.Errorf("LOG_FORMAT %q is not supported: use json or text", o.LogFormat))
	}
	if o.MetricsAddr == "" {
		return p
	}
	if _, _, err := net.SplitHostPort(o.MetricsAddr); err != nil {
		p = append(p, fmt.Errorf("METRICS_ADDR %q is not host:port, such as :9090 or 127.0.0.1:9090", o.MetricsAddr))
	}
	return p
}

// NewLogger returns the structured logger LOG_FORMAT asks for, writing to w.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	if cfg.Ops.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
