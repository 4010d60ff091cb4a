package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// child is a server this command started: pwreset in demo mode, or the Echo reference.
type child struct {
	name string
	url  string
	cmd  *exec.Cmd
	proc proc
}

// benchEnv is demo mode with every limit off, so that the load measures the work
// of a request rather than its refusal, and unknown users answered like known ones.
func benchEnv(secret string, users int) []string {
	return []string{
		"SECRET_KEY=" + secret,
		"DEMO_USERS=" + strconv.Itoa(users),
		"RATE_LIMIT_SEND_LINK=off",
		"RATE_LIMIT_RESET_PASSWORD=off",
		"RESET_PASSWORD_LINK_COOLDOWN=0",
		"RESET_PASSWORD_LINK_DAILY_CAP=0",
		"RESET_PASSWORD_LINKS_PER_HOUR=0",
		"RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false",
	}
}

// buildPwreset builds the binary of the module this command belongs to into dir.
func buildPwreset(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("run go run ./bench from the pwreset repository (go env GOMOD names no module)")
	}
	bin := filepath.Join(dir, "pwreset")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = filepath.Dir(gomod)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build pwreset: %w", err)
	}
	return bin, nil
}

// start runs bin on a free loopback port, with env(its address) added to this
// environment (MONGODB_URI and DATABASE_URL removed: demo mode unless env adds one), its output discarded, and waits
// until it answers /healthz.
func start(name, bin string, env func(addr string) []string) (*child, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MONGODB_URI=") && !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, echoRoleVar+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// The bench reads allocations from /metrics on the address it loads.
	cmd.Env = append(cmd.Env, "METRICS_ON_API_ADDR=true")
	cmd.Env = append(cmd.Env, env(addr)...)
	// Printed e-mails and log lines go nowhere: the terminal must not be the limit.
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, url: "http://" + addr, cmd: cmd, proc: proc{pid: cmd.Process.Pid, metrics: "http://" + addr + "/metrics"}}
	if err := c.ready(60 * time.Second); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// ready polls /healthz until it answers 200.
func (c *child) ready(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(c.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer %s/healthz within %s", c.name, c.url, limit)
}

// stop ends the child with SIGTERM, then SIGKILL if it lingers.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// freeAddr picks a loopback port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
