package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Reply is an answer of the API, kept whole: status, headers and the raw body.
type Reply struct {
	Status int
	Header http.Header
	Raw    string
	Body   map[string]any
}

// Call posts a JSON body to url and returns the whole answer; the body must be JSON.
func Call(t *testing.T, url, body string) Reply {
	t.Helper()
	r, err := TryCall(url, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TryCall is Call for goroutines other than the test's, which must not end the test.
func TryCall(url, body string) (Reply, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Reply{}, fmt.Errorf("POST %s: read the answer: %w", url, err)
	}
	r := Reply{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if err := json.Unmarshal(raw, &r.Body); err != nil {
		return r, fmt.Errorf("POST %s: answer %d is not a JSON object: %q", url, resp.StatusCode, raw)
	}
	return r, nil
}

// Post posts a JSON body to url and returns the status and the decoded JSON answer.
func Post(t *testing.T, url, body string) (int, map[string]any) {
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

// Get returns the status and body of GET url.
func Get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// SendLink asks api for a link for login and returns the answer.
func SendLink(t *testing.T, api, login string) Reply {
	t.Helper()
	return Call(t, api+"send-reset-password-link/", fmt.Sprintf(`{"login":%q}`, login))
}

// ResetWith posts a reset of the link's values with password and returns the answer.
func ResetWith(t *testing.T, api string, link url.Values, password string) Reply {
	t.Helper()
	return Call(t, api+"reset-password/", ResetBody(link, password))
}

// ResetBody is the JSON body of a reset with the link's values and password.
func ResetBody(link url.Values, password string) string {
	b, _ := json.Marshal(map[string]any{"user_id": link.Get("user_id"), "timestamp": json.Number(link.Get("timestamp")),
		"signature": link.Get("signature"), "password": password})
	return string(b)
}

// WantDetail fails the test unless the answer is status with {"detail": detail}.
func WantDetail(t *testing.T, what string, r Reply, status int, detail string) {
	t.Helper()
	if r.Status != status || len(r.Body) != 1 || r.Body["detail"] != detail {
		t.Fatalf("%s: %d %s, want %d {\"detail\":%q}", what, r.Status, r.Raw, status, detail)
	}
}

// Tamper returns signature with one character changed.
func Tamper(signature string) string {
	c := byte('A')
	if signature[0] == c {
		c = 'B'
	}
	return string(c) + signature[1:]
}

// throttledDetail is DRF's answer to a client over its rate.
var throttledDetail = regexp.MustCompile(`^Request was throttled\. Expected available in (\d+) seconds?\.$`)

// WantThrottled fails the test unless r is a 429 that tells the client to wait
// between 1 and max seconds, in the body and in Retry-After alike.
func WantThrottled(t *testing.T, what string, r Reply, maxWait int) {
	t.Helper()
	detail, _ := r.Body["detail"].(string)
	m := throttledDetail.FindStringSubmatch(detail)
	if r.Status != http.StatusTooManyRequests || len(r.Body) != 1 || m == nil {
		t.Fatalf("%s: %d %s, want 429 with DRF's throttled detail", what, r.Status, r.Raw)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 || n > maxWait || (n == 1) != strings.HasSuffix(detail, " second.") {
		t.Fatalf("%s: %q: want a wait of 1 to %d seconds, worded as such", what, detail, maxWait)
	}
	if got := r.Header.Get("Retry-After"); got != m[1] {
		t.Fatalf("%s: Retry-After %q, the body says %s seconds", what, got, m[1])
	}
}
