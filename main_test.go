package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds pwreset once for the tests of this package.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pwreset-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pwreset")
	out, err := exec.Command("go", "build", "-race", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{out}
	}
	return bin, nil
})

type buildError struct{ out []byte }

func (e *buildError) Error() string { return "go build: " + string(e.out) }

// process is a running pwreset whose output the test reads line by line.
type process struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	lines   []string
	more    chan struct{}
	readers sync.WaitGroup // the goroutines copying its output, until end of file
}

// command returns the pwreset binary's command with env and args.
func command(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	return cmd
}

// start runs the pwreset binary with env and args.
func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	return startCommand(t, command(t, env, args...))
}

// startCommand starts cmd as a process whose output the test reads.
func startCommand(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{cmd: cmd, more: make(chan struct{}, 1)}
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		p.wait()
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(cmd.Path), strings.Join(p.snapshot(), "\n"))
		}
	})
	for _, r := range []io.Reader{stdout, stderr} {
		p.readers.Add(1)
		go func() {
			defer p.readers.Done()
			s := bufio.NewScanner(r)
			for s.Scan() {
				p.mu.Lock()
				p.lines = append(p.lines, s.Text())
				p.mu.Unlock()
				select {
				case p.more <- struct{}{}:
				default:
				}
			}
		}()
	}
	return p
}

// wait waits for the process to exit and for all it wrote to be read. Calling
// cmd.Wait alone may close the pipes before the last lines were read.
func (p *process) wait() error {
	p.readers.Wait()
	return p.cmd.Wait()
}

func (p *process) snapshot() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// await returns the first submatch of re in the output, waiting up to 20 s for it.
func (p *process) await(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		for _, l := range p.snapshot() {
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		}
		select {
		case <-p.more:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("pwreset never printed a line matching %s", re)
		}
	}
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("POST %s: answer is not JSON: %v", url, err)
	}
	return resp.StatusCode, got
}

// TestDemoMode walks through a reset as a newcomer meets it: `pwreset serve` with no
// configuration, the demo user from its banner, the link from its printed e-mail.
func TestDemoMode(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH")}
	if ln, err := net.Listen("tcp", ":8080"); err == nil {
		ln.Close() // the default port is free: run with no configuration at all
	} else {
		env = append(env, "HTTP_ADDR=127.0.0.1:0") // something else holds 8080 here
	}
	p := start(t, env, "serve")
	login := p.await(t, regexp.MustCompile(`Demo user: login "([^"]+)"`))[1]
	api := p.await(t, regexp.MustCompile(`curl -s -X POST (http://\S+/)send-reset-password-link/`))[1]
	p.await(t, regexp.MustCompile(`pwreset listening`))

	status, body := post(t, api+"send-reset-password-link/", `{"login":"`+login+`"}`)
	if status != 200 || body["detail"] != "Reset link sent" {
		t.Fatalf("send link: %d %v", status, body)
	}
	raw := p.await(t, regexp.MustCompile(`^(http://\S+/reset-password/\?\S+)$`))[1]
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	reset, _ := json.Marshal(map[string]string{"user_id": q.Get("user_id"), "timestamp": q.Get("timestamp"),
		"signature": q.Get("signature"), "password": "a new and rather long passphrase"})
	status, body = post(t, api+"reset-password/", string(reset))
	if status != 200 || body["detail"] != "Reset password successful" {
		t.Fatalf("reset: %d %v", status, body)
	}
	page, err := http.Get(raw) // the demo link opens a page pwreset serves itself
	if err != nil || page.StatusCode != 200 {
		t.Fatalf("demo page: %v %v", page, err)
	}
	page.Body.Close()

	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(); err != nil {
		t.Fatalf("pwreset did not shut down cleanly on SIGTERM: %v", err)
	}
	if out := strings.Join(p.snapshot(), "\n"); strings.Contains(out, "a new and rather long passphrase") {
		t.Fatal("the new password appears in the output")
	}
}

func TestBadConfigurationStopsStartUp(t *testing.T) {
	p := start(t, []string{"MONGODB_URI=mongodb://127.0.0.1:1", "SECRET_KEY=short", "RESET_PASSWORD_VERIFICATION_PERIOD=-1h"}, "serve")
	err := p.wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want code 2", err)
	}
	out := strings.Join(p.snapshot(), "\n")
	for _, want := range []string{"SECRET_KEY is 5 bytes long", "RESET_PASSWORD_VERIFICATION_URL is required",
		"VERIFICATION_FROM_EMAIL is required", "RESET_PASSWORD_VERIFICATION_PERIOD must be positive",
		"SENDGRID_API_KEY is required outside demo mode"} {
		if !bytes.Contains([]byte(out), []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
