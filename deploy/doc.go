// Package deploy holds no code: its folder holds the systemd unit, the Prometheus
// alert rules, the Grafana dashboard, the container image's build script and the
// Kubernetes example, and its tests check them against the series pwreset exports,
// the Kubernetes API types and pwreset's configuration.
package deploy
