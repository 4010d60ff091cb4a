// Package ops tests what operators use: health, readiness and metrics, the Prometheus
// alert rules and Grafana dashboard against a real Prometheus, and the support commands
// (link, send-link, outbox) on MongoDB.
package ops
