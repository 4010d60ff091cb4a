package image_test

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/e2e/harness"
)

// startWithin bounds the wait for the container's first 200 on /readyz: generous, as a
// busy machine may take long to start it; a failure, not a measurement.
const startWithin = 2 * time.Minute

// link is the reset link in the e-mail the demo prints.
var link = regexp.MustCompile(`http://\S+/reset-password/\?user_id=(\w+)&timestamp=(\d+)&signature=([\w-]+)`)

// checkServes runs the image as Kubernetes' example runs it (a read-only root file
// system without even a /tmp, no capability, no privilege escalation, metrics on
// METRICS_ADDR), with no database variable (demo mode), and goes through a whole reset
// from the host.
func checkServes(t *testing.T, p podman, image string, cfg imageConfig) {
	name := uniqueName("pwreset-e2e-")
	p.out(t, "run", "--detach", "--name", name,
		"--read-only", "--read-only-tmpfs=false", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		"--env", "METRICS_ADDR=:9090", "--publish", "127.0.0.1::8080", "--publish", "127.0.0.1::9090", image)
	t.Cleanup(func() { p.cmd("rm", "--force", "--time", "0", name).Run() })
	logs := func() string {
		out, _ := p.cmd("logs", name).CombinedOutput()
		return string(out)
	}
	// podman chose the host's port: no race for a free one.
	base := "http://" + p.out(t, "port", name, "8080/tcp")
	awaitReady(t, p, name, base, logs)

	for _, probe := range []string{"/readyz", "/healthz"} {
		if status, body := harness.Get(t, base+probe); status != http.StatusOK {
			t.Errorf("GET %s: %d %s", probe, status, body)
		}
	}
	checkRunsAs(t, p, name, userID(t, cfg.User))
	checkMetrics(t, base, "http://"+p.out(t, "port", name, "9090/tcp"))

	r := harness.Call(t, base+"/api/v1/accounts/send-reset-password-link/", `{"login": "demo"}`)
	if r.Status != http.StatusOK {
		t.Fatalf("send-reset-password-link: %d %s", r.Status, r.Raw)
	}
	m := awaitLink(t, logs)
	body, _ := json.Marshal(map[string]string{"user_id": m[1], "timestamp": m[2], "signature": m[3], "password": "a new and long passphrase 42"})
	if r := harness.Call(t, base+"/api/v1/accounts/reset-password/", string(body)); r.Status != http.StatusOK {
		t.Errorf("reset-password with the printed link: %d %s", r.Status, r.Raw)
	}

	// SIGTERM to PID 1: pwreset drains and exits 0 (a shell as PID 1 would not pass it on).
	p.out(t, "stop", "--time", "60", name)
	if code := p.out(t, "inspect", "--format", "{{.State.ExitCode}}", name); code != "0" {
		t.Errorf("exit code %s after podman stop, want 0\n%s", code, logs())
	}
}

// checkMetrics: with METRICS_ADDR, as the Kubernetes example sets it, /metrics is
// served on its own port and not on the API's.
func checkMetrics(t *testing.T, api, metrics string) {
	t.Helper()
	if status, body := harness.Get(t, metrics+"/metrics"); status != http.StatusOK || !strings.Contains(body, "pwreset_") {
		t.Errorf("GET /metrics on METRICS_ADDR: %d, pwreset's series: %v", status, strings.Contains(body, "pwreset_"))
	}
	if status, _ := harness.Get(t, api+"/metrics"); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the API's port: %d, want 404", status)
	}
}

// awaitReady polls /readyz until it answers 200, failing early if the container stops.
func awaitReady(t *testing.T, p podman, name, base string, logs func() string) {
	t.Helper()
	client := http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(startWithin)
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if state := p.out(t, "inspect", "--format", "{{.State.Status}}", name); state != "running" {
			t.Fatalf("the container is %s, not running:\n%s", state, logs())
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s/readyz: no 200 within %v (last: %v)\n%s", base, startWithin, describe(resp, err), logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func describe(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// checkRunsAs reads, from the host, which user the container's process runs as.
func checkRunsAs(t *testing.T, p podman, name string, uid int) {
	t.Helper()
	pid := p.out(t, "inspect", "--format", "{{.State.Pid}}", name)
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Logf("the process's user is not checked: %v", err) // its pid lives in another namespace
		return
	}
	want := fmt.Sprintf("Uid:\t%d\t%d\t%d\t%d\n", uid, uid, uid, uid)
	if !strings.Contains(string(status), want) {
		t.Errorf("the container's process does not run as uid %d only:\n%s", uid, status)
	}
}

// awaitLink waits for the demo's printed e-mail (the dispatcher delivers it after the
// answer) and returns the link's parts.
func awaitLink(t *testing.T, logs func() string) []string {
	t.Helper()
	deadline := time.Now().Add(startWithin)
	for {
		out := logs()
		if m := link.FindStringSubmatch(out); m != nil {
			if _, err := url.Parse(m[0]); err != nil {
				t.Fatalf("printed link %q: %v", m[0], err)
			}
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reset link printed within %v:\n%s", startWithin, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkArchive checks that --archive wrote an OCI image layout holding one image.
func checkArchive(t *testing.T, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("deploy/image/build --archive wrote nothing: %v", err)
	}
	defer f.Close()
	var layout, index bool
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not a tar archive: %v", path, err)
		}
		switch strings.TrimPrefix(h.Name, "./") {
		case "oci-layout":
			layout = true
		case "index.json":
			var idx struct{ Manifests []json.RawMessage }
			if err := json.NewDecoder(tr).Decode(&idx); err != nil || len(idx.Manifests) != 1 {
				t.Errorf("index.json: %v, %d manifests, want 1", err, len(idx.Manifests))
			}
			index = true
		}
	}
	if !layout || !index {
		t.Errorf("%s is not an OCI image layout (oci-layout %v, index.json %v)", path, layout, index)
	}
}
