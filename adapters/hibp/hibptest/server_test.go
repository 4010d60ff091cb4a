package hibptest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/hibp/hibptest"
)

func get(t *testing.T, s *hibptest.Server, path string, padding bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if padding {
		req.Header.Set("Add-Padding", "true")
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRange(t *testing.T) {
	s := hibptest.New(t)
	s.Add("password", 9)
	h := hibptest.Hash("password")
	if h != "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8" {
		t.Fatalf("Hash(password) = %s", h)
	}
	status, body := get(t, s, "/range/"+strings.ToLower(h[:5]), false)
	if status != http.StatusOK || body != h[5:]+":9" {
		t.Errorf("unpadded answer %d %q", status, body)
	}
	_, body = get(t, s, "/range/"+h[:5], true)
	lines := strings.Split(body, "\r\n")
	if len(lines) < 800 || len(lines) > 1000 || !strings.Contains(body, h[5:]+":9\r\n") {
		t.Errorf("padded answer has %d lines, or lacks the entry", len(lines))
	}
	for _, l := range lines {
		if l != h[5:]+":9" && (len(l) != 37 || !strings.HasSuffix(l, ":0")) {
			t.Fatalf("padding line %q", l)
		}
	}
	if status, _ := get(t, s, "/range/5BAA", false); status != http.StatusBadRequest {
		t.Errorf("short prefix: status %d, want 400", status)
	}
	if got := len(s.Requests()); got != 3 {
		t.Errorf("recorded %d requests, want 3", got)
	}
}

func TestOverride(t *testing.T) {
	s := hibptest.New(t)
	s.Override(http.StatusServiceUnavailable, "down")
	if status, body := get(t, s, "/range/5BAA6", false); status != 503 || body != "down" {
		t.Errorf("override: %d %q", status, body)
	}
	s.Override(0, "")
	if status, _ := get(t, s, "/range/5BAA6", false); status != http.StatusOK {
		t.Errorf("after clearing: %d", status)
	}
}
