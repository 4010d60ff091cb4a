package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// TracingSettings are OpenTelemetry's standard variables for traces. Tracing is off
// unless an OTLP endpoint is set (and OTEL_SDK_DISABLED is not true). Spans go out
// over OTLP/HTTP with protobuf bodies: plain HTTPS through any proxy, which every
// collector takes (port 4318), and one exporter to test.
type TracingSettings struct {
	// Endpoint is the collector's base URL; spans go to its /v1/traces.
	Endpoint string `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	// TracesEndpoint is the full URL spans go to; it wins over Endpoint.
	TracesEndpoint string `env:"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"`
	Protocol       string `env:"OTEL_EXPORTER_OTLP_PROTOCOL"`
	TracesProtocol string `env:"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"`
	// Headers go with every export (key=value pairs, comma-separated, values
	// URL-encoded), such as a collector's API key: never logged.
	Headers       string `env:"OTEL_EXPORTER_OTLP_HEADERS"`
	TracesHeaders string `env:"OTEL_EXPORTER_OTLP_TRACES_HEADERS"`
	ServiceName   string `env:"OTEL_SERVICE_NAME" envDefault:"pwreset"`
	Sampler       string `env:"OTEL_TRACES_SAMPLER" envDefault:"parentbased_always_on"`
	SamplerArg    string `env:"OTEL_TRACES_SAMPLER_ARG"`
	Disabled      bool   `env:"OTEL_SDK_DISABLED" envDefault:"false"`
}

// On reports whether spans are made and exported.
func (t TracingSettings) On() bool {
	return !t.Disabled && (t.Endpoint != "" || t.TracesEndpoint != "")
}

// exportURL is where spans go: the traces endpoint as given, or the base endpoint's
// /v1/traces, as the OTLP specification says.
func (t TracingSettings) exportURL() string {
	if t.TracesEndpoint != "" {
		return t.TracesEndpoint
	}
	return strings.TrimSuffix(t.Endpoint, "/") + "/v1/traces"
}

// headers parses the export headers; the traces' own win over the common ones.
func (t TracingSettings) headers() (map[string]string, error) {
	h := map[string]string{}
	for _, v := range []struct{ name, list string }{
		{"OTEL_EXPORTER_OTLP_HEADERS", t.Headers}, {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", t.TracesHeaders},
	} {
		for pair := range strings.SplitSeq(v.list, ",") {
			if strings.TrimSpace(pair) == "" {
				continue
			}
			key, value, ok := strings.Cut(pair, "=")
			value, err := url.PathUnescape(strings.TrimSpace(value))
			if !ok || strings.TrimSpace(key) == "" || err != nil {
				// The pair is not quoted: its value may be a credential.
				return nil, fmt.Errorf("%s: each entry must be key=value with the value URL-encoded, such as api-key=abc%%20def", v.name)
			}
			h[strings.TrimSpace(key)] = value
		}
	}
	return h, nil
}

// sampler returns the sampler OTEL_TRACES_SAMPLER names, with its argument.
func (t TracingSettings) sampler() (sdktrace.Sampler, error) {
	ratio := 1.0
	if t.SamplerArg != "" && strings.HasSuffix(t.Sampler, "traceidratio") {
		r, err := strconv.ParseFloat(t.SamplerArg, 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG %q is not a ratio from 0 to 1, such as 0.25", t.SamplerArg)
		}
		ratio = r
	}
	switch t.Sampler {
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(ratio), nil
	case "parentbased_always_on", "":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio)), nil
	}
	return nil, fmt.Errorf("OTEL_TRACES_SAMPLER %q is not supported: use always_on, always_off, traceidratio "+
		"or their parentbased_ forms", t.Sampler)
}

func (t TracingSettings) problems() []error {
	if !t.On() {
		return nil
	}
	var p []error
	for _, v := range []struct{ name, value string }{
		{"OTEL_EXPORTER_OTLP_PROTOCOL", t.Protocol}, {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", t.TracesProtocol},
	} {
		if v.value != "" && v.value != "http/protobuf" {
			p = append(p, fmt.Errorf("%s %q is not supported: pwreset exports OTLP over HTTP; use http/protobuf "+
				"(the collector's port 4318)", v.name, v.value))
		}
	}
	name := "OTEL_EXPORTER_OTLP_ENDPOINT"
	if t.TracesEndpoint != "" {
		name = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	}
	if u, err := url.Parse(t.exportURL()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p = append(p, fmt.Errorf("%s must be an http or https URL, such as http://collector:4318", name))
	}
	if _, err := t.headers(); err != nil {
		p = append(p, err)
	}
	if _, err := t.sampler(); err != nil {
		p = append(p, err)
	}
	return p
}
