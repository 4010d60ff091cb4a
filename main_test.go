package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/pwreset/pwreset/e2e/harness"
)

// TestDemoMode walks through a reset as a newcomer meets it: `pwreset serve` with no
// configuration, the demo user from its banner, the link from its printed e-mail.
func TestDemoMode(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH")}
	if ln, err := net.Listen("tcp", ":8080"); err == nil {
		ln.Close() // the default port is free: run with no configuration at all
	} else {
		env = append(env, "HTTP_ADDR=127.0.0.1:0") // something else holds 8080 here
	}
	p := harness.Start(t, env, "serve")
	login := p.Await(t, regexp.MustCompile(`Demo user: login "([^"]+)"`))[1]
	api := p.Await(t, regexp.MustCompile(`curl -s -X POST (http://\S+/)send-reset-password-link/`))[1]
	p.Await(t, regexp.MustCompile(`pwreset listening`))

	status, body := harness.Post(t, api+"send-reset-password-link/", `{"login":"`+login+`"}`)
	if status != 200 || body["detail"] != "Reset link sent" {
		t.Fatalf("send link: %d %v", status, body)
	}
	raw := p.Await(t, regexp.MustCompile(`^(http://\S+/reset-password/\?\S+)$`))[1]
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	reset, _ := json.Marshal(map[string]string{"user_id": q.Get("user_id"), "timestamp": q.Get("timestamp"),
		"signature": q.Get("signature"), "password": "a new and rather long passphrase"})
	status, body = harness.Post(t, api+"reset-password/", string(reset))
	if status != 200 || body["detail"] != "Reset password successful" {
		t.Fatalf("reset: %d %v", status, body)
	}
	page, err := http.Get(raw) // the demo link opens a page pwreset serves itself
	if err != nil || page.StatusCode != 200 {
		t.Fatalf("demo page: %v %v", page, err)
	}
	page.Body.Close()

	p.Cmd.Process.Signal(syscall.SIGTERM)
	if err := p.Wait(); err != nil {
		t.Fatalf("pwreset did not shut down cleanly on SIGTERM: %v", err)
	}
	if out := strings.Join(p.Snapshot(), "\n"); strings.Contains(out, "a new and rather long passphrase") {
		t.Fatal("the new password appears in the output")
	}
}

func TestBadConfigurationStopsStartUp(t *testing.T) {
	p := harness.Start(t, []string{"MONGODB_URI=mongodb://127.0.0.1:1", "SECRET_KEY=short", "RESET_PASSWORD_VERIFICATION_PERIOD=-1h"}, "serve")
	err := p.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want code 2", err)
	}
	out := strings.Join(p.Snapshot(), "\n")
	for _, want := range []string{"SECRET_KEY is 5 bytes long", "RESET_PASSWORD_VERIFICATION_URL is required",
		"VERIFICATION_FROM_EMAIL is required", "RESET_PASSWORD_VERIFICATION_PERIOD must be positive",
		"SENDGRID_API_KEY is required outside demo mode"} {
		if !bytes.Contains([]byte(out), []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
