package api

import (
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestLogsHoldNoSecrets reads every line a service writes through a whole flow (a
// link, a refused password, a reset, a forged signature, shutdown): none holds a
// password, a signature, a link or the secret key, and each step leaves its audit
// event as a JSON line, tied to its request.
func TestLogsHoldNoSecrets(t *testing.T) {
	const weakPassword = "qwertyuiop"
	db := mongotest.NewDatabase(t)
	id := harness.SeedAlice(t, db).Hex()
	sg := sendgridtest.New(t)
	p, api := harness.Serve(t, mongotest.URI(t), db.Name(), harness.MailEnv(sg)...)

	linkReply := harness.SendLink(t, api, "alice")
	harness.WantDetail(t, "send link", linkReply, 200, "Reset link sent")
	link := harness.LinkIn(t, harness.AwaitMails(t, sg, "alice@example.com", reset.KindResetLink, 1)[0])
	weak := harness.ResetWith(t, api, link, weakPassword)
	if weak.Status != 400 || !strings.Contains(weak.Raw, "This password is too common.") {
		t.Fatalf("weak password: %d %s", weak.Status, weak.Raw)
	}
	done := harness.ResetWith(t, api, link, harness.NewPassword)
	harness.WantDetail(t, "reset", done, 200, "Reset password successful")
	signature := link.Get("signature")
	forged := harness.Tamper(signature)
	tampered := url.Values{}
	maps.Copy(tampered, link)
	tampered.Set("signature", forged)
	bad := harness.ResetWith(t, api, tampered, harness.NewPassword)
	harness.WantDetail(t, "tampered signature", bad, 400, "Invalid signature")

	// Stop once the notice is sent: "stopped" comes after every line before it.
	p.Await(t, regexp.MustCompile(`"msg":"mail sent".*"kind":"password_changed"`))
	p.Cmd.Process.Signal(syscall.SIGTERM)
	p.Await(t, regexp.MustCompile(`"msg":"stopped"`))
	lines := p.Snapshot()

	secrets := map[string]string{"the old password": harness.OldPassword, "the new password": harness.NewPassword,
		"the refused password": weakPassword, "the signature": signature, "the forged signature": forged,
		"SECRET_KEY": harness.SecretKey, "a signature parameter": "signature=", "a link": "frontend.example/reset-password/?"}
	var events []map[string]any
	for _, l := range lines {
		for what, s := range secrets {
			if strings.Contains(l, s) {
				t.Errorf("a log line holds %s: %s", what, l)
			}
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Errorf("with LOG_FORMAT=json, a line that is not JSON: %s", l)
			continue
		}
		if e["audit"] == true {
			events = append(events, e)
		}
	}

	// Each request's events, found by the id its answer carries.
	for _, want := range []struct {
		event  string
		answer harness.Reply
		attrs  map[string]any
	}{
		{"reset_link.requested", linkReply, map[string]any{"user_id": id}},
		{"reset_link.queued", linkReply, map[string]any{"user_id": id}},
		{"password_reset.failed", weak, map[string]any{"user_id": id, "reason": "password_refused"}},
		{"password_reset.succeeded", done, map[string]any{"user_id": id}},
		{"password_reset.failed", bad, map[string]any{"reason": "invalid_signature"}},
	} {
		reqID := want.answer.Header.Get("X-Request-Id")
		if reqID == "" {
			t.Fatalf("an answer without X-Request-Id: %v", want.answer.Header)
		}
		want.attrs["request_id"], want.attrs["client_ip"] = reqID, "127.0.0.1"
		if got := harness.Matching(events, want.event, want.attrs); len(got) != 1 {
			t.Errorf("want one %s event with %v, found %d; events:\n%s", want.event, want.attrs, len(got), eventList(events))
		}
	}
	// The dispatcher's events come from no request.
	for _, kind := range []string{reset.KindResetLink, reset.KindPasswordChanged} {
		got := harness.Matching(events, kind+".sent", map[string]any{"user_id": id})
		if len(got) != 1 || got[0]["outbox_id"] == nil || got[0]["provider_id"] == nil {
			t.Errorf("want one %s.sent event with outbox_id and provider_id, found %v; events:\n%s", kind, got, eventList(events))
		}
	}
}

func eventList(events []map[string]any) string {
	var b strings.Builder
	for _, e := range events {
		j, _ := json.Marshal(e)
		b.Write(append(j, '\n'))
	}
	return b.String()
}
