package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/app"
)

func TestMetricsAddr(t *testing.T) {
	for _, c := range []struct {
		addr, problem string
	}{
		{"", ""},
		{":9090", ""},
		{"127.0.0.1:9090", ""},
		{"9090", `METRICS_ADDR "9090" is not host:port`},
	} {
		cfg, err := app.Load(append(slices.Clone(production), "METRICS_ADDR="+c.addr))
		switch {
		case c.problem == "" && err != nil:
			t.Errorf("METRICS_ADDR=%q: %v", c.addr, err)
		case c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)):
			t.Errorf("METRICS_ADDR=%q: error %v, want %q", c.addr, err, c.problem)
		case err == nil && cfg.Ops.MetricsAddr != c.addr:
			t.Errorf("METRICS_ADDR=%q read as %q", c.addr, cfg.Ops.MetricsAddr)
		}
	}
}
