package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/app"
)

// TestTracingSettings: tracing is off unless an OTLP endpoint is set (and the SDK
// not disabled); every unusable OTEL_* value stops start-up naming its variable,
// without echoing a value that may be a credential.
func TestTracingSettings(t *testing.T) {
	const endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318"
	for _, c := range []struct {
		name string
		env  []string
		on   bool
		want []string
	}{
		{"off by default", nil, false, nil},
		{"an endpoint turns it on", []string{endpoint}, true, nil},
		{"a traces endpoint turns it on", []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=https://collector/v1/traces"}, true, nil},
		{"OTEL_SDK_DISABLED wins", []string{endpoint, "OTEL_SDK_DISABLED=true"}, false, nil},
		{"values unchecked while off", []string{"OTEL_EXPORTER_OTLP_PROTOCOL=grpc", "OTEL_TRACES_SAMPLER=nope"}, false, nil},
		{"http/protobuf, a ratio, headers", []string{endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
			"OTEL_TRACES_SAMPLER=parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG=0.25",
			"OTEL_EXPORTER_OTLP_HEADERS=api-key=a%20b,tenant=c"}, true, nil},
		{"grpc is not built in", []string{endpoint, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc"}, true,
			[]string{`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL "grpc" is not supported`}},
		{"not a URL", []string{"OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318"}, true,
			[]string{"OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL"}},
		{"unknown sampler", []string{endpoint, "OTEL_TRACES_SAMPLER=jaeger_remote"}, true,
			[]string{`OTEL_TRACES_SAMPLER "jaeger_remote" is not supported`}},
		{"ratio out of range", []string{endpoint, "OTEL_TRACES_SAMPLER=traceidratio", "OTEL_TRACES_SAMPLER_ARG=2"}, true,
			[]string{`OTEL_TRACES_SAMPLER_ARG "2" is not a ratio`}},
		{"a header without a value, not echoed", []string{endpoint, "OTEL_EXPORTER_OTLP_TRACES_HEADERS=s3cret-token"}, true,
			[]string{"OTEL_EXPORTER_OTLP_TRACES_HEADERS: each entry must be key=value"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := append(slices.Clone(production), c.env...)
			err := wantProblems(t, env, c.want...)
			if err != nil {
				if strings.Contains(err.Error(), "s3cret-token") {
					t.Errorf("the header's value is echoed: %v", err)
				}
				return
			}
			cfg, err := app.Load(env)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Tracing.On() != c.on {
				t.Errorf("tracing on: %v, want %v", cfg.Tracing.On(), c.on)
			}
		})
	}
}
