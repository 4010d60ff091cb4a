package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/hashpool"
	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// heldHasher hashes once its gate opens, counting the hashes begun.
type heldHasher struct {
	gate    chan struct{}
	started atomic.Int32
}

func (h *heldHasher) Hash(password string) (string, error) {
	h.started.Add(1)
	<-h.gate
	return "held$" + password, nil
}

func (h *heldHasher) Verify(hash, password string) (bool, error) {
	return hash == "held$"+password, nil
}

// TestAbandonedResetsLeaveTheHashQueue puts the API, the use case and the hash pool
// of the service together: one reset holds the only hashing slot, five more queue
// behind it and their clients hang up; once the slot comes free, one hash has been
// computed, not six (issue 18: 120 abandoned resets computed 83 hashes), and the
// queue's gauge followed it all.
func TestAbandonedResetsLeaveTheHashQueue(t *testing.T) {
	const queued = 5
	hasher := &heldHasher{gate: make(chan struct{})}
	metrics := prometheus.New()
	pool := hashpool.New(hasher, 1, hashpool.MaxWait(time.Hour))
	metrics.WatchHashQueue(pool.Waiting)
	addr, body := resetService(t, pool)

	first := make(chan int, 1)
	go func() { first <- postReset(t, addr, body) }()
	waitUntil(func() bool { return hasher.started.Load() == 1 })

	conns := make([]net.Conn, queued)
	for i := range conns {
		conns[i] = sendReset(t, addr, body)
	}
	waitUntil(func() bool { return pool.Waiting() == queued })
	if got := gauge(t, metrics); got != queued {
		t.Errorf("pwreset_hash_queue_length %v with %d waiting", got, queued)
	}
	for _, c := range conns {
		c.Close()
	}
	waitUntil(func() bool { return pool.Waiting() == 0 }) // each left when its client did
	close(hasher.gate)
	if status := <-first; status != http.StatusOK {
		t.Errorf("the reset that held the slot: %d", status)
	}
	if n := hasher.started.Load(); n != 1 {
		t.Errorf("%d hashes computed, want 1: abandoned resets hashed", n)
	}
	if got := gauge(t, metrics); got != 0 {
		t.Errorf("pwreset_hash_queue_length %v once nobody waits", got)
	}
}

// resetService serves the reset endpoint of a user store holding one user, hashing
// through pool, and returns its address and the body of a valid reset.
func resetService(t *testing.T, pool *hashpool.Pool) (addr, body string) {
	t.Helper()
	user := ports.User{ID: "1", Email: "alice@example.com", PasswordHash: "held$old",
		Logins: []ports.Field{{Name: "username", Value: "alice"}}}
	users := memory.NewUserStore([]string{"username"}, user)
	box, limiter, clock := memory.NewOutbox(), memory.NewRateLimiter(), system.NewClock()
	signer := link.NewSigner([]byte(strings.Repeat("k", 32)), false)
	log := slog.New(slog.DiscardHandler)
	cfg := reset.Config{Enabled: true, Period: time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com"}
	queue := outbox.NewQueue(box, nil)
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: queue, Signer: signer,
		Clock: clock, Emails: reset.DefaultEmails(), Audit: audit.New(log)})
	resetter := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Hasher: pool, Signer: signer,
		Clock: clock, Policy: policy.New(8), Outbox: queue, Emails: reset.DefaultEmails(), Audit: audit.New(log),
		Log: log})
	api := apihttp.New(apihttp.Config{HashQueue: pool}, sender, resetter, limiter, clock, log)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := apihttp.NewServer(api, log)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	ts := time.Now().Unix()
	sig := signer.Sign(link.Claims{UserID: "1", Timestamp: ts, PasswordHash: user.PasswordHash})
	return ln.Addr().String(), fmt.Sprintf(`{"user_id":"1","timestamp":%d,"signature":%q,"password":"blue-Heron-42-lantern"}`, ts, sig)
}

// sendReset sends a reset on a connection of its own and returns the connection.
func sendReset(t *testing.T, addr, body string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.WriteString(c, "POST /api/v1/accounts/reset-password/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// postReset sends a reset and returns the status of its answer.
func postReset(t *testing.T, addr, body string) int {
	resp, err := http.Post("http://"+addr+"/api/v1/accounts/reset-password/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitUntil yields until cond holds; it bounds nothing (go test's timeout does).
func waitUntil(cond func() bool) {
	for !cond() {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// gauge reads pwreset_hash_queue_length.
func gauge(t *testing.T, m *prometheus.Metrics) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "pwreset_hash_queue_length" {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatal("no pwreset_hash_queue_length")
	return 0
}

// TestHashQueue: HASH_QUEUE_TIMEOUT bounds the wait of the pool the API queues in,
// and must be positive.
func TestHashQueue(t *testing.T) {
	cfg, err := app.Load(append(slices.Clone(production), "HASH_QUEUE_TIMEOUT=1ms", "HASH_CONCURRENCY=1"))
	if err != nil {
		t.Fatal(err)
	}
	pool := app.ProvideHasher(cfg, prometheus.New())
	release, err := pool.Admit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	// The one place is taken and nothing frees it: only the bound ends the wait.
	if _, err := pool.Admit(context.Background()); !errors.Is(err, ports.ErrHasherBusy) {
		t.Errorf("second Admit: %v, want ports.ErrHasherBusy", err)
	}
	for _, bad := range []string{"0s", "-1s", "30s"} {
		wantProblems(t, append(slices.Clone(production), "HASH_QUEUE_TIMEOUT="+bad), "HASH_QUEUE_TIMEOUT must be a positive duration under 30s")
	}
}
