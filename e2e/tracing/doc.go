// Package tracing tests the binary's OpenTelemetry traces, received over OTLP/HTTP by
// an in-process receiver (adapters/tracing/otlptest): a link request and its
// delivery in one trace, a reset's steps, an incoming traceparent continued, the
// last spans flushed at shutdown, and no secret in any span.
package tracing
