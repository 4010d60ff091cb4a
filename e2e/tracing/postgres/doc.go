// Package postgres runs e2e/tracing's scenario (harness.TraceScenario) on
// PostgreSQL and the SMTP stand-in: a span per statement in the steps, the
// delivery of a link in the trace of its request through the outbox's traceparent
// column. Its own package, for its own TestMain (pgtest's server).
package postgres
