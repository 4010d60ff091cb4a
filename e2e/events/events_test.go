package events

import (
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/webhook/webhooktest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestResetSendsSignedEvent: `pwreset serve` in demo mode with EVENTS_URL pointing
// at a local receiver. A link request and a reset end with the receiver holding,
// once each, the reset_link.sent and password.changed events of the demo user,
// every delivery's signature verified with the Standard Webhooks library, the
// 503 it answered first retried after its Retry-After; no secret in the output.
func TestResetSendsSignedEvent(t *testing.T) {
	r := webhooktest.Start(t)
	r.Script(webhooktest.Answer{Status: 503, RetryAfter: "1"})
	env := []string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0", "LOG_FORMAT=json",
		"EVENTS_URL=" + r.URL, "EVENTS_SECRET=" + r.Secret, "EVENTS_TYPES=password.changed,reset_link.sent",
		"MAIL_RETRY_MIN=100ms", "MAIL_RETRY_MAX=1s", "OUTBOX_POLL_INTERVAL=200ms"}
	p := harness.Start(t, env, "serve")
	login := p.Await(t, regexp.MustCompile(`Demo user: login "([^"]+)"`))[1]
	api := p.Await(t, harness.Listening)[1] + "/api/v1/accounts/"

	status, body := harness.Post(t, api+"send-reset-password-link/", `{"login":"`+login+`"}`)
	if status != 200 {
		t.Fatalf("send link: %d %v", status, body)
	}
	raw := p.Await(t, regexp.MustCompile(`^(http://\S+/reset-password/\?\S+)$`))[1]
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	const password = "a new and rather long passphrase"
	reset, _ := json.Marshal(map[string]string{"user_id": q.Get("user_id"), "timestamp": q.Get("timestamp"),
		"signature": q.Get("signature"), "password": password})
	if status, body := harness.Post(t, api+"reset-password/", string(reset)); status != 200 {
		t.Fatalf("reset: %d %v", status, body)
	}

	got, err := r.Await(2, 2*time.Minute)
	if err != nil {
		t.Fatalf("%v: got %+v, receiver %+v", err, got, r.Stats())
	}
	types := map[string]int{}
	for _, ev := range got {
		types[ev.Type]++
		if ev.Data.UserID != q.Get("user_id") || !strings.HasPrefix(ev.ID, "evt_") || ev.Timestamp.IsZero() {
			t.Errorf("event %+v, want the demo user %s's, with an id and a time", ev, q.Get("user_id"))
		}
		for _, secret := range []string{password, q.Get("signature"), "@"} {
			if strings.Contains(string(ev.Body), secret) {
				t.Errorf("event %s holds %q", ev.Body, secret)
			}
		}
	}
	if types["password.changed"] != 1 || types["reset_link.sent"] != 1 {
		t.Errorf("events by type %v, want one password.changed and one reset_link.sent", types)
	}
	if st := r.Stats(); st.Invalid != 0 || st.Requests < 3 {
		t.Errorf("receiver %+v: want every signature good, and the refused delivery sent again", st)
	}
	reqs := r.Requests()
	for i, first := range reqs {
		if first.Answer.Status != 503 {
			continue
		}
		for _, again := range reqs[i+1:] {
			if again.ID == first.ID && again.At.Sub(first.At) < time.Second {
				t.Errorf("event %s sent again %v after a 503 asking for 1s", first.ID, again.At.Sub(first.At))
			}
		}
	}

	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	if err := p.Wait(); err != nil {
		t.Fatalf("pwreset did not shut down cleanly: %v", err)
	}
	out := strings.Join(p.Snapshot(), "\n")
	if strings.Contains(out, r.Secret) || strings.Contains(out, strings.TrimPrefix(r.Secret, "whsec_")) {
		t.Error("the events secret appears in the output")
	}
}
