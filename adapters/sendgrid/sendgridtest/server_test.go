package sendgridtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
)

// validBody is a minimal message SendGrid would accept.
const validBody = `{"from":{"name":"Reset","email":"noreply@example.com"},"subject":"Hi",
"personalizations":[{"to":[{"email":"ann@example.com"}]}],
"content":[{"type":"text/plain","value":"plain"},{"type":"text/html","value":"<p>html</p>"}],
"custom_args":{"kind":"reset_link"}}`

// post sends body to the server's send endpoint with the given key and returns the
// status, headers and body, or the transport error.
func post(t *testing.T, s *sendgridtest.Server, key, body string) (*http.Response, string, error) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(request(t, s, key, body))
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

// request is a POST of body to the server's send endpoint with the given key.
func request(t *testing.T, s *sendgridtest.Server, key, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/v3/mail/send", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestAcceptsAndRecords(t *testing.T) {
	s := sendgridtest.New(t)
	resp, _, err := post(t, s, sendgridtest.APIKey, validBody)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, want 202", resp.StatusCode)
	}
	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ID == "" || resp.Header.Get("X-Message-Id") != m.ID {
		t.Errorf("X-Message-Id = %q, recorded id %q", resp.Header.Get("X-Message-Id"), m.ID)
	}
	if m.From != "Reset <noreply@example.com>" || m.To != "ann@example.com" || m.Subject != "Hi" ||
		m.Text != "plain" || m.HTML != "<p>html</p>" || m.Kind != "reset_link" {
		t.Errorf("recorded %+v", m)
	}
}

func TestRejectsWhatSendGridRejects(t *testing.T) {
	tests := []struct {
		name, key, body string
		status          int
		field           string
	}{
		{"wrong key", "SG.other", validBody, http.StatusUnauthorized, ""},
		{"not JSON", sendgridtest.APIKey, "{", http.StatusBadRequest, ""},
		{"no from", sendgridtest.APIKey, strings.Replace(validBody, `"from"`, `"x"`, 1), http.StatusBadRequest, "from.email"},
		{"no subject", sendgridtest.APIKey, strings.Replace(validBody, `"subject"`, `"x"`, 1), http.StatusBadRequest, "subject"},
		{"html first", sendgridtest.APIKey, `{"from":{"email":"a@example.com"},"subject":"s",
			"personalizations":[{"to":[{"email":"b@example.com"}]}],
			"content":[{"type":"text/html","value":"h"},{"type":"text/plain","value":"p"}]}`, http.StatusBadRequest, "content"},
		{"empty content", sendgridtest.APIKey, `{"from":{"email":"a@example.com"},"subject":"s",
			"personalizations":[{"to":[{"email":"b@example.com"}]}],
			"content":[{"type":"text/plain","value":""}]}`, http.StatusBadRequest, "content.0.value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sendgridtest.New(t)
			resp, body, err := post(t, s, tt.key, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			var got struct{ Errors []sendgridtest.APIError }
			if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.Errors) == 0 {
				t.Fatalf("body %q is not SendGrid's error list: %v", body, err)
			}
			if tt.field != "" && got.Errors[0].Field != tt.field {
				t.Errorf("field = %q, want %q", got.Errors[0].Field, tt.field)
			}
			if len(s.Messages()) != 0 {
				t.Error("a rejected message was recorded")
			}
		})
	}
}

func TestFailNext(t *testing.T) {
	s := sendgridtest.New(t)
	s.FailNext(2, http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}},
		sendgridtest.APIError{Message: "slow down"})
	for i := range 2 {
		resp, body, err := post(t, s, sendgridtest.APIKey, validBody)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" ||
			!strings.Contains(body, "slow down") {
			t.Fatalf("request %d: %d %v %s", i, resp.StatusCode, resp.Header, body)
		}
	}
	if resp, _, _ := post(t, s, sendgridtest.APIKey, validBody); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("third request: status %d, want 202", resp.StatusCode)
	}

	s.FailNext(sendgridtest.Forever, http.StatusServiceUnavailable, nil)
	for range 3 {
		if resp, _, _ := post(t, s, sendgridtest.APIKey, validBody); resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503 until cleared", resp.StatusCode)
		}
	}
	s.FailNext(0, 0, nil)
	if resp, _, _ := post(t, s, sendgridtest.APIKey, validBody); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after clearing: status %d, want 202", resp.StatusCode)
	}
	if got := s.Attempts(); got != 7 {
		t.Errorf("Attempts = %d, want 7", got)
	}
	if got := len(s.Messages()); got != 2 {
		t.Errorf("recorded %d messages, want 2", got)
	}
}

func TestSetDownKeepsAddressAndMessages(t *testing.T) {
	s := sendgridtest.New(t)
	url := s.URL()
	if _, _, err := post(t, s, sendgridtest.APIKey, validBody); err != nil {
		t.Fatal(err)
	}
	s.SetDown(true)
	s.SetDown(true) // twice is harmless
	if _, _, err := post(t, s, sendgridtest.APIKey, validBody); err == nil {
		t.Fatal("request succeeded while down")
	}
	s.SetDown(false)
	s.SetDown(false)
	if s.URL() != url {
		t.Fatalf("URL changed from %s to %s", url, s.URL())
	}
	if resp, _, err := post(t, s, sendgridtest.APIKey, validBody); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after coming back: %v %v", resp, err)
	}
	if got := len(s.Messages()); got != 2 {
		t.Errorf("recorded %d messages, want 2", got)
	}
}

func TestSetDownCutsDelayedRequests(t *testing.T) {
	s := sendgridtest.New(t)
	s.SetDelay(time.Minute)
	errc := make(chan error, 1)
	go func() {
		_, _, err := post(t, s, sendgridtest.APIKey, validBody)
		errc <- err
	}()
	for s.Attempts() == 0 {
		time.Sleep(time.Millisecond)
	}
	s.SetDown(true)
	select {
	case err := <-errc:
		if err == nil {
			t.Error("delayed request got an answer after SetDown")
		}
	case <-time.After(20 * time.Second): // the request was delayed a minute
		t.Fatal("delayed request still hanging 20s after SetDown")
	}
}

// TestConcurrentUse is for the race detector: requests, controls and reads at once.
func TestConcurrentUse(t *testing.T) {
	s := sendgridtest.New(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if i%4 == 0 {
				s.FailNext(1, http.StatusInternalServerError, http.Header{"X-Test": {"1"}})
			}
			_, _, _ = post(t, s, sendgridtest.APIKey, validBody)
			_ = s.Messages()
		})
	}
	wg.Go(func() { s.SetDelay(0) })
	wg.Wait()
	if got := s.Attempts(); got != 16 {
		t.Errorf("Attempts = %d, want 16", got)
	}
}

// TestCutAfterAccept: the message is kept and its 202 arrives, but the body it
// promises never does.
func TestCutAfterAccept(t *testing.T) {
	s := sendgridtest.New(t)
	s.SetCutAfterAccept(true)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(request(t, s, sendgridtest.APIKey, validBody))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); resp.StatusCode != http.StatusAccepted || err == nil {
		t.Errorf("status %d, body read error %v; want 202 and a cut body", resp.StatusCode, err)
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("%d messages kept, want 1", n)
	}
}

// TestCountsConnections: a client that keeps its connection alive opens one for
// three requests; one that does not, three.
func TestCountsConnections(t *testing.T) {
	for _, keepAlive := range []bool{true, false} {
		s := sendgridtest.New(t)
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: !keepAlive}, Timeout: 5 * time.Second}
		for range 3 {
			resp, err := client.Do(request(t, s, sendgridtest.APIKey, validBody))
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		want := 3
		if keepAlive {
			want = 1
		}
		if got := s.Connections(); got != want {
			t.Errorf("keep-alive %v: %d connections, want %d", keepAlive, got, want)
		}
	}
}
