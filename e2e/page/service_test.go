package page_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/link"
)

// secretKey signs the links the tests make; the service is given the same.
const secretKey = "e2e page tests: a key of 32 bytes or more"

// binary is the pwreset built once for the package by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pwreset-page-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pwreset")
	build := exec.Command("go", "build", "-o", binary, "../..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pwreset:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// service is a running pwreset.
type service struct {
	origin string // scheme://host:port
	mu     sync.Mutex
	lines  []string
}

// startService runs `pwreset serve` with env (in demo mode unless env names a
// database) on a free port, and stops it when the test ends.
func startService(t *testing.T, env ...string) *service {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0", "SECRET_KEY=" + secretKey,
		"RESET_PASSWORD_LINK_COOLDOWN=0s", "RATE_LIMIT_SEND_LINK=1000/1m", "RATE_LIMIT_RESET_PASSWORD=1000/1m"}, env...)
	out, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s := &service{}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.mu.Lock()
			s.lines = append(s.lines, sc.Text())
			s.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "pwreset listening" {
				listening <- rec.Addr
			}
		}
		close(listening)
	}()
	// The bound only turns a service that never starts into a failure.
	select {
	case addr, ok := <-listening:
		if !ok {
			t.Fatalf("pwreset exited before listening:\n%s", s.output())
		}
		s.origin = addr
	case <-time.After(2 * time.Minute):
		t.Fatalf("pwreset did not listen:\n%s", s.output())
	}
	return s
}

// output is what the service printed so far.
func (s *service) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

// pageFor returns the page's address for a link of user signed at issued with
// the service's key, as an e-mail would carry it.
func (s *service) pageFor(user string, issued time.Time) string {
	c := link.Claims{UserID: user, Timestamp: issued.Unix()}
	q := url.Values{"user_id": {user}, "timestamp": {strconv.FormatInt(c.Timestamp, 10)},
		"signature": {link.NewSigner([]byte(secretKey), false).Sign(c)}}
	return s.origin + "/reset-password/?" + q.Encode()
}

// demoUser is the id of demo mode's user.
const demoUser = "1"
