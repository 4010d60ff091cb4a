package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/prometheus"
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

// TestOperatorEndpointsStayOffTheAPI: by default the API serves no /metrics and a
// /readyz without reasons (issue 18: /metrics on the public address told which
// logins exist); METRICS_ON_API_ADDR=true is the operator's explicit choice.
func TestOperatorEndpointsStayOffTheAPI(t *testing.T) {
	for _, c := range []struct {
		env    []string
		onAPI  bool
		reason bool
	}{
		{nil, false, false},
		{[]string{"METRICS_ADDR=127.0.0.1:9090"}, false, false},
		{[]string{"METRICS_ON_API_ADDR=true"}, true, true},
		{[]string{"METRICS_ON_API_ADDR=false"}, false, false},
	} {
		cfg, err := app.Load(append(slices.Clone(production), c.env...))
		if err != nil {
			t.Fatal(err)
		}
		ops := app.ProvideOperations(cfg, prometheus.New(), nil)
		if (ops.Metrics != nil) != c.onAPI || ops.ReadinessReason != c.reason {
			t.Errorf("%v: /metrics on the API %v, readiness reason %v; want %v, %v",
				c.env, ops.Metrics != nil, ops.ReadinessReason, c.onAPI, c.reason)
		}
	}
	wantProblems(t, append(slices.Clone(production), "METRICS_ON_API_ADDR=maybe"), "METRICS_ON_API_ADDR")
}
