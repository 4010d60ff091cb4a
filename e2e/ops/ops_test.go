package ops

import (
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// awaitMetric scrapes url until it holds line, for up to 20 s.
func awaitMetric(t *testing.T, url, line string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := harness.Get(t, url)
		if strings.Contains(body, line+"\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q; last scrape:\n%s", url, line, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDemoOperations: demo mode is ready, and its metrics count a link from request
// to delivery, on series that existed at zero before (here on the API address, which
// the operator opted into).
func TestDemoOperations(t *testing.T) {
	p := harness.Start(t, []string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0", "METRICS_ON_API_ADDR=true"}, "serve")
	base := p.Await(t, harness.Listening)[1]
	for path, want := range map[string]string{"/healthz": `{"status":"ok"}`, "/readyz": `{"status":"ok"}`} {
		if status, body := harness.Get(t, base+path); status != 200 || strings.TrimSpace(body) != want {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
	metrics := base + "/metrics"
	for _, line := range []string{
		`pwreset_link_requests_total{outcome="queued"} 0`,
		`pwreset_mail_deliveries_total{kind="reset_link",result="sent"} 0`,
		`pwreset_password_resets_total{outcome="succeeded"} 0`,
		`pwreset_outbox_messages{family="mail",state="pending"} 0`,
		`pwreset_outbox_messages{family="event",state="pending"} 0`,
	} {
		awaitMetric(t, metrics, line)
	}
	if status, _ := harness.Post(t, base+"/api/v1/accounts/send-reset-password-link/", `{"login":"demo"}`); status != 200 {
		t.Fatalf("send link: %d", status)
	}
	awaitMetric(t, metrics, `pwreset_link_requests_total{outcome="queued"} 1`)
	awaitMetric(t, metrics, `pwreset_mail_deliveries_total{kind="reset_link",result="sent"} 1`)
	awaitMetric(t, metrics, `pwreset_http_request_duration_seconds_count{method="POST",route="/api/v1/accounts/send-reset-password-link/",status="200"} 1`)
	_, body := harness.Get(t, metrics)
	for _, family := range []string{"go_goroutines", "process_resident_memory_bytes", "pwreset_password_hash_duration_seconds_bucket"} {
		if !strings.Contains(body, family) {
			t.Errorf("scrape lacks %s", family)
		}
	}
}

var metricsListening = regexp.MustCompile(`"metrics listening".*"addr":"(http://[^"]+)/metrics"`)

// TestMetricsAddr: the operator endpoints are on METRICS_ADDR, never on the API
// address unless the operator opts in (issue 18: /metrics there told which logins
// exist); without METRICS_ADDR nothing serves them, and a line says so.
func TestMetricsAddr(t *testing.T) {
	p := harness.Start(t, []string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0", "METRICS_ADDR=127.0.0.1:0"}, "serve")
	ops := p.Await(t, metricsListening)[1]
	base := p.Await(t, harness.Listening)[1]
	awaitMetric(t, ops+"/metrics", `pwreset_link_requests_total{outcome="queued"} 0`)
	if status, body := harness.Get(t, ops+"/readyz"); status != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("GET /readyz on METRICS_ADDR: %d %s", status, body)
	}
	if status, _ := harness.Get(t, base+"/metrics"); status != 404 {
		t.Errorf("GET /metrics on the API address: %d, want 404", status)
	}

	p = harness.Start(t, []string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0"}, "serve")
	base = p.Await(t, harness.Listening)[1]
	p.Await(t, regexp.MustCompile(`metrics are not served: set METRICS_ADDR`))
	if status, _ := harness.Get(t, base+"/metrics"); status != 404 {
		t.Errorf("GET /metrics on the API address by default: %d, want 404", status)
	}
}

// gate is a TCP proxy to a server that the test can freeze: while frozen, bytes
// stop flowing both ways and connections stay open, as with a server that hangs.
type gate struct {
	ln     net.Listener
	mu     sync.Mutex
	open   *sync.Cond
	frozen bool
}

func newGate(t *testing.T, upstream string) *gate {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln}
	g.open = sync.NewCond(&g.mu)
	t.Cleanup(func() { ln.Close(); g.set(false) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			go g.pipe(c, u)
			go g.pipe(u, c)
		}
	}()
	return g
}

func (g *gate) set(frozen bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.frozen = frozen
	g.open.Broadcast()
}

// pipe copies from src to dst, holding each chunk while the gate is frozen.
func (g *gate) pipe(src, dst net.Conn) {
	defer src.Close()
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			g.mu.Lock()
			for g.frozen {
				g.open.Wait()
			}
			g.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestReadinessFollowsMongoDB: /readyz is 200 while MongoDB answers; when MongoDB
// hangs (for longer than the test waits), /readyz answers 503 within MONGODB_TIMEOUT
// and /metrics still answers; once MongoDB answers again, so does /readyz.
func TestReadinessFollowsMongoDB(t *testing.T) {
	srv := mongotest.StartServer(t)
	upstream := strings.TrimPrefix(srv.URI(), "mongodb://")
	upstream = strings.SplitN(upstream, "/", 2)[0]
	g := newGate(t, upstream)
	uri := strings.Replace(srv.URI(), upstream, g.ln.Addr().String(), 1)
	db := mongotest.Connect(t, srv.URI()).Database("readiness")
	harness.SeedAlice(t, db)
	p, _ := harness.Serve(t, uri, db.Name(), "MONGODB_TIMEOUT=1s", "SENDGRID_API_KEY=SG.test", "METRICS_ADDR=127.0.0.1:0")
	base := p.Await(t, harness.Listening)[1]
	ops := p.Await(t, metricsListening)[1]
	if status, body := harness.Get(t, base+"/readyz"); status != 200 {
		t.Fatalf("before the hang: %d %s", status, body)
	}

	g.set(true)
	// The probes run apart, so that a hanging one cannot hold the test.
	result := make(chan string, 1)
	go func() {
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get(base + "/readyz")
			if err != nil {
				result <- err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 503 || time.Now().After(deadline) {
				result <- resp.Status + " " + string(body)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	select {
	case got := <-result:
		// The public answer names nothing of the backend (issue 18); the operator's does.
		if !strings.HasPrefix(got, "503 ") || strings.TrimSpace(strings.TrimPrefix(got, "503 Service Unavailable ")) != `{"status":"unavailable"}` {
			t.Fatalf("/readyz while MongoDB hangs: %s", got)
		}
	case <-time.After(30 * time.Second): // MongoDB hangs for longer than this
		t.Fatal("/readyz hangs with MongoDB")
	}
	if status, body := harness.Get(t, ops+"/readyz"); status != 503 || !strings.Contains(body, `"reason":"MongoDB`) {
		t.Errorf("/readyz on METRICS_ADDR during the hang: %d %s", status, body)
	}
	if status, body := harness.Get(t, ops+"/metrics"); status != 200 || !strings.Contains(body, "pwreset_link_requests_total") {
		t.Errorf("/metrics during the hang: %d", status)
	}

	g.set(false)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _ := harness.Get(t, base+"/readyz"); status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not ready 30 s after MongoDB answers again")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
