package deploy_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
)

const (
	rulesFile     = "prometheus/alerts.yml"
	rulesTests    = "prometheus/alerts_test.yml"
	dashboardFile = "grafana/pwreset.json"
	unitFile      = "systemd/pwreset.service"
)

func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not found: install Debian's prometheus package to check the alert rules")
	}
	return path
}

func TestAlertRulesPassPromtool(t *testing.T) {
	bin := promtool(t)
	for _, args := range [][]string{{"check", "rules", rulesFile}, {"test", "rules", rulesTests}} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func TestSystemdUnitVerifies(t *testing.T) {
	bin, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not found: the unit is not verified here")
	}
	// Verify a copy that runs an executable which exists here.
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	self, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no `true` executable to stand in for pwreset")
	}
	copyPath := filepath.Join(t.TempDir(), "pwreset.service")
	text := strings.Replace(string(unit), "ExecStart=/usr/local/bin/pwreset", "ExecStart="+self, 1)
	if err := os.WriteFile(copyPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "verify", "--man=no", copyPath).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		if strings.Contains(string(out), "Failed to") && strings.Contains(string(out), "bus") {
			t.Skipf("systemd-analyze cannot run here: %s", out)
		}
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// exported returns, for each series name pwreset exports, the values each of its
// labels takes at start-up: the metrics of a real API, as the service assembles them.
func exported(t *testing.T) map[string]map[string][]string {
	t.Helper()
	m := prometheus.New()
	clock := system.NewClock()
	box := memory.NewOutbox()
	m.WatchOutbox(prometheus.OutboxWatch{Box: box, Clock: clock, Timeout: time.Second, CacheFor: time.Second})
	users := memory.NewUserStore([]string{"username"})
	limiter := memory.NewRateLimiter()
	signer := link.NewSigner([]byte("0123456789abcdef0123456789abcdef"), false)
	cfg := reset.Config{Enabled: true, Period: time.Hour, URL: "https://frontend.example/reset/", From: "noreply@example.com"}
	events := audit.New(nil).WithObserver(m)
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: outbox.NewQueue(box, nil),
		Signer: signer, Clock: clock, Emails: reset.DefaultEmails(), Audit: events})
	resetter := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Hasher: m.TimeHasher(nil),
		Signer: signer, Clock: clock, Policy: policy.New(policy.DefaultMinLength), Outbox: outbox.NewQueue(box, nil),
		Emails: reset.DefaultEmails(), Audit: events, Log: slog.New(slog.DiscardHandler)})
	apihttp.New(apihttp.Config{Operations: apihttp.Operations{Observer: m, Metrics: m.Handler()}},
		sender, resetter, limiter, clock, slog.New(slog.DiscardHandler))

	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]string{"up": {"job": {"pwreset"}, "instance": nil}} // Prometheus' own
	add := func(name string, labels map[string]string) {
		if out[name] == nil {
			out[name] = map[string][]string{}
		}
		for k, v := range labels {
			out[name][k] = append(out[name][k], v)
		}
	}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if h := s.GetHistogram(); h != nil {
				add(f.GetName()+"_count", labels)
				add(f.GetName()+"_sum", labels)
				add(f.GetName()+"_bucket", labels)
				out[f.GetName()+"_bucket"]["le"] = nil // any bound
				continue
			}
			add(f.GetName(), labels)
		}
	}
	return out
}

// A series selector such as name{label="value", other=~"re"}.
var (
	selector = regexp.MustCompile(`\b((?:pwreset|go|process)_[a-zA-Z0-9_]+|up)\b(\{[^}]*\})?`)
	matcher  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"`)
)

// checkQuery lists the problems of a query: a series pwreset does not export, or a
// label value no series of it has. It also returns how many selectors it saw.
func checkQuery(query string, series map[string]map[string][]string) ([]string, int) {
	var problems []string
	found := selector.FindAllStringSubmatch(query, -1)
	for _, sel := range found {
		labels, ok := series[sel[1]]
		if !ok {
			problems = append(problems, fmt.Sprintf("series %s is not exported by pwreset", sel[1]))
			continue
		}
		for _, m := range matcher.FindAllStringSubmatch(sel[2], -1) {
			name, op, value := m[1], m[2], m[3]
			values, ok := labels[name]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s has no label %s", sel[1], name))
				continue
			}
			if values == nil || op == "!=" || op == "!~" {
				continue // any value, or a negative match
			}
			re := regexp.MustCompile("^(?:" + regexp.QuoteMeta(value) + ")$")
			if op == "=~" {
				re = regexp.MustCompile("^(?:" + value + ")$")
			}
			if !anyMatch(re, values) {
				problems = append(problems, fmt.Sprintf("no series %s has %s %s %q; it has %v", sel[1], name, op, value, values))
			}
		}
	}
	return problems, len(found)
}

// check fails the test for each problem of query.
func check(t *testing.T, where, query string, series map[string]map[string][]string) {
	t.Helper()
	problems, n := checkQuery(query, series)
	for _, p := range problems {
		t.Errorf("%s: %s (query %q)", where, p, query)
	}
	if n == 0 {
		t.Errorf("%s: query %q selects no pwreset series", where, query)
	}
}

func anyMatch(re *regexp.Regexp, values []string) bool {
	for _, v := range values {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// dashboard is what the tests read of the Grafana dashboard: its panels' queries.
type dashboard struct {
	Title  string `json:"title"`
	Panels []struct {
		Title   string `json:"title"`
		Type    string `json:"type"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash dashboard
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s is not JSON: %v", dashboardFile, err)
	}
	return dash
}

func TestDashboardQueriesExportedSeries(t *testing.T) {
	dash := readDashboard(t)
	series := exported(t)
	seen := map[string]bool{}
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, target := range p.Targets {
			check(t, "panel "+p.Title, target.Expr, series)
			for _, sel := range selector.FindAllStringSubmatch(target.Expr, -1) {
				seen[strings.TrimSuffix(strings.TrimSuffix(sel[1], "_bucket"), "_count")] = true
			}
		}
	}
	// The dashboard shows what the issue asks: the funnel, latency, backlog, failures, events.
	for _, name := range []string{"pwreset_link_requests_total", "pwreset_password_resets_total",
		"pwreset_mail_deliveries_total", "pwreset_http_request_duration_seconds",
		"pwreset_password_hash_duration_seconds", "pwreset_outbox_messages", "pwreset_outbox_oldest_pending_age_seconds",
		"pwreset_event_deliveries_total"} {
		if !seen[name] {
			t.Errorf("the dashboard shows nothing of %s", name)
		}
	}
}

// TestDashboardQueriesParse has promtool check the PromQL of every panel, as the
// recording rules of a file of their own (Grafana's $__range taken as 1h).
func TestDashboardQueriesParse(t *testing.T) {
	bin := promtool(t)
	dash := readDashboard(t)
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	n := 0
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			n++
			q, _ := json.Marshal(strings.ReplaceAll(target.Expr, "$__range", "1h")) // a JSON string is a YAML string
			fmt.Fprintf(&rules, "      - record: dashboard:query_%d\n        expr: %s\n", n, q)
		}
	}
	path := filepath.Join(t.TempDir(), "dashboard-rules.yml")
	if err := os.WriteFile(path, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "check", "rules", path).CombinedOutput(); err != nil {
		t.Errorf("a dashboard query is not valid PromQL: %v\n%s", err, out)
	}
}

func TestAlertRulesQueryExportedSeries(t *testing.T) {
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	series := exported(t)
	// Each expr is a block scalar or one line; take the text up to the next key.
	exprs := regexp.MustCompile(`(?ms)^\s+expr: \|?\n?(.*?)^\s+(?:for|labels):`).FindAllStringSubmatch(string(b), -1)
	if len(exprs) < 4 {
		t.Fatalf("found %d alert expressions in %s", len(exprs), rulesFile)
	}
	for _, e := range exprs {
		check(t, rulesFile, e[1], series)
	}
}

// The checks above would pass on nothing: make sure they fail on a made-up series
// or label value.
func TestQueryCheckCatchesUnknownSeries(t *testing.T) {
	series := exported(t)
	for _, q := range []string{`rate(pwreset_links_total[5m])`, `pwreset_link_requests_total{outcome="sent"}`,
		`pwreset_mail_deliveries_total{kind=~"newsletter"}`, `pwreset_outbox_messages{queue="x"}`,
		`pwreset_event_deliveries_total{type="user.deleted"}`, `pwreset_event_deliveries_total{kind="password.changed"}`} {
		if problems, _ := checkQuery(q, series); len(problems) == 0 {
			t.Errorf("query %q passes the check", q)
		}
	}
}
