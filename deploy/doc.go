// Package deploy holds no code: its folder holds the systemd unit, the Prometheus
// alert rules and the Grafana dashboard, and its tests check them against the
// series pwreset exports.
package deploy
