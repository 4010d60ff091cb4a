package app

import (
	"fmt"
	"net"
)

// OpsSettings say where the people who run pwreset find its metrics.
type OpsSettings struct {
	// MetricsAddr serves GET /metrics on a listener of its own (such as :9090, or
	// 127.0.0.1:9090 to keep it on the host); empty: on the API address.
	MetricsAddr string `env:"METRICS_ADDR"`
}

func (o OpsSettings) problems() []error {
	if o.MetricsAddr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(o.MetricsAddr); err != nil {
		return []error{fmt.Errorf("METRICS_ADDR %q is not host:port, such as :9090 or 127.0.0.1:9090", o.MetricsAddr)}
	}
	return nil
}
