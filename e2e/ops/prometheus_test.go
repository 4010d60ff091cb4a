package ops

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/e2e/harness"
)

// TestPrometheusScrapesAndEvaluates runs Debian's Prometheus against the demo
// binary with the shipped alert rules: it scrapes the metrics, every rule evaluates
// without error, and every dashboard query runs.
func TestPrometheusScrapesAndEvaluates(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus not found: install Debian's prometheus package to run this test")
	}
	p := harness.Start(t, []string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0", "METRICS_ON_API_ADDR=true"}, "serve")
	base := p.Await(t, harness.Listening)[1]
	rules := harness.RepoPath(t, "deploy/prometheus/alerts.yml")
	dir := t.TempDir()
	config := "global: {scrape_interval: 1s, evaluation_interval: 1s}\n" +
		"rule_files: [" + rules + "]\n" +
		"scrape_configs:\n  - job_name: pwreset\n    static_configs: [{targets: ['" + strings.TrimPrefix(base, "http://") + "']}]\n"
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	prom := harness.StartCommand(t, exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address=127.0.0.1:0"))
	api := "http://" + prom.Await(t, regexp.MustCompile(`msg="Listening on" address=(\S+)`))[1] + "/api/v1/"
	prom.Await(t, regexp.MustCompile(`msg="Server is ready to receive web requests."`))

	if status, _ := harness.Post(t, base+"/api/v1/accounts/send-reset-password-link/", `{"login":"demo"}`); status != 200 {
		t.Fatalf("send link: %d", status)
	}
	awaitQuery(t, api, `pwreset_link_requests_total{outcome="queued"} == 1`)
	awaitQuery(t, api, `pwreset_mail_deliveries_total{kind="reset_link",result="sent"} == 1`)
	awaitQuery(t, api, `pwreset_outbox_messages{family="mail",state="pending"} == 0`)

	// Every rule has been evaluated at least once, without error.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got struct {
			Data struct {
				Groups []struct {
					Rules []struct {
						Name, Health, LastError string
					}
				}
			}
		}
		promGet(t, api+"rules", &got)
		bad, n := []string{}, 0
		for _, g := range got.Data.Groups {
			for _, r := range g.Rules {
				n++
				if r.Health != "ok" {
					bad = append(bad, r.Name+": "+r.Health+" "+r.LastError)
				}
			}
		}
		if n > 0 && len(bad) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rules not all healthy after 30 s (%d rules): %v", n, bad)
		}
		time.Sleep(500 * time.Millisecond)
	}

	// Every dashboard query runs (Grafana's $__range taken as 1h).
	b, err := os.ReadFile(harness.RepoPath(t, "deploy/grafana/pwreset.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	for _, panel := range dash.Panels {
		for _, target := range panel.Targets {
			var got struct{ Status, Error string }
			promGet(t, api+"query?query="+url.QueryEscape(strings.ReplaceAll(target.Expr, "$__range", "1h")), &got)
			if got.Status != "success" {
				t.Errorf("panel %q: query %q: %s", panel.Title, target.Expr, got.Error)
			}
		}
	}
}

// promGet decodes the JSON answer of a Prometheus API call into v.
func promGet(t *testing.T, u string, v any) {
	t.Helper()
	status, body := harness.Get(t, u)
	if err := json.Unmarshal([]byte(body), v); err != nil || (status != 200 && status != 400 && status != 422) {
		t.Fatalf("GET %s: %d %s", u, status, body)
	}
}

// awaitQuery waits up to 30 s for an instant query to return a series.
func awaitQuery(t *testing.T, api, query string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got struct {
			Data struct{ Result []json.RawMessage }
		}
		promGet(t, api+"query?query="+url.QueryEscape(query), &got)
		if len(got.Data.Result) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus never answered %s", query)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
