package hibp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/hibp"
	"github.com/pwreset/pwreset/adapters/hibp/hibptest"
	"github.com/pwreset/pwreset/ports"
)

var _ ports.BreachChecker = (*hibp.Checker)(nil)

// password is the secret of the tests: neither it nor its hash beyond the prefix
// may leave the process or appear in an error.
const password = "correct horse battery staple"

var (
	hash   = hibptest.Hash(password)
	prefix = hash[:5]
	suffix = hash[5:]
)

func newChecker(s *hibptest.Server) *hibp.Checker {
	return hibp.NewChecker(hibp.Config{BaseURL: s.URL(), Timeout: 2 * time.Second, UserAgent: "pwreset-test"})
}

func TestBreached(t *testing.T) {
	other := hibptest.Hash("another password")
	tests := []struct {
		name  string
		setup func(*hibptest.Server)
		want  bool
	}{
		{"listed", func(s *hibptest.Server) { s.Add(password, 42) }, true},
		{"listed once", func(s *hibptest.Server) { s.Add(password, 1) }, true},
		{"not listed", func(s *hibptest.Server) { s.Add("another password", 3) }, false},
		{"padding entry with count 0", func(s *hibptest.Server) { s.Add(password, 0) }, false},
		{"lower-case lines", func(s *hibptest.Server) {
			s.Override(http.StatusOK, strings.ToLower(other[5:])+":7\r\n"+strings.ToLower(suffix)+":3\r\n")
		}, true},
		{"lower-case zero count", func(s *hibptest.Server) {
			s.Override(http.StatusOK, strings.ToLower(suffix)+":0\r\n"+other[5:]+":2")
		}, false},
		{"LF line ends and a trailing newline", func(s *hibptest.Server) {
			s.Override(http.StatusOK, other[5:]+":2\n"+suffix+":9\n")
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := hibptest.New(t)
			tt.setup(s)
			got, err := newChecker(s).Breached(t.Context(), password)
			if err != nil {
				t.Fatalf("Breached: %v", err)
			}
			if got != tt.want {
				t.Errorf("Breached = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestOnlyThePrefixLeaves checks everything the server received: one GET of
// /range/{prefix}, no body, and no header but the expected ones.
func TestOnlyThePrefixLeaves(t *testing.T) {
	s := hibptest.New(t)
	s.Add(password, 5)
	if _, err := newChecker(s).Breached(t.Context(), password); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodGet || r.URL != "/range/"+prefix || len(r.Body) != 0 {
		t.Errorf("request is %s %s with %d body bytes; want GET /range/%s and no body", r.Method, r.URL, len(r.Body), prefix)
	}
	if got := r.Header.Get("User-Agent"); got != "pwreset-test" {
		t.Errorf("User-Agent = %q, want pwreset-test", got)
	}
	if got := r.Header.Get("Add-Padding"); got != "true" {
		t.Errorf("Add-Padding = %q, want true", got)
	}
	// Accept-Encoding is net/http's own, for transparent gzip.
	allowed := []string{"User-Agent", "Add-Padding", "Accept-Encoding"}
	everything := r.URL + string(r.Body)
	for k, vs := range r.Header {
		if !slices.Contains(allowed, k) {
			t.Errorf("unexpected header %s: %q", k, vs)
		}
		everything += k + strings.Join(vs, "")
	}
	noSecret(t, "the request", everything)
}

func TestDefaults(t *testing.T) {
	s := hibptest.New(t)
	s.Add(password, 1)
	// A trailing slash is trimmed; a path is kept, for a proxy in front of the API.
	c := hibp.NewChecker(hibp.Config{BaseURL: s.URL() + "/"})
	if ok, err := c.Breached(t.Context(), password); !ok || err != nil {
		t.Fatalf("Breached = %v, %v", ok, err)
	}
	r := s.Requests()[0]
	if r.URL != "/range/"+prefix || r.Header.Get("User-Agent") != hibp.DefaultUserAgent {
		t.Errorf("request %s with User-Agent %q", r.URL, r.Header.Get("User-Agent"))
	}
	_, _ = hibp.NewChecker(hibp.Config{BaseURL: s.URL() + "/proxy/hibp"}).Breached(t.Context(), password)
	if got := s.Requests()[1].URL; got != "/proxy/hibp/range/"+prefix {
		t.Errorf("request with a base path went to %s", got)
	}
	if hibp.DefaultBaseURL != "https://api.pwnedpasswords.com" || hibp.DefaultTimeout != 2*time.Second {
		t.Errorf("defaults are %s and %v", hibp.DefaultBaseURL, hibp.DefaultTimeout)
	}
}

func TestRefused(t *testing.T) {
	for _, tt := range []struct {
		status int
		want   string
	}{
		{http.StatusServiceUnavailable, "503"},
		{http.StatusTooManyRequests, "429"},
		{http.StatusForbidden, "403"},
		{http.StatusFound, "302"}, // never followed
	} {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			s := hibptest.New(t)
			// A body that would pass as an answer, to show the status alone decides.
			s.Override(tt.status, suffix+":12\r\n")
			ok, err := newChecker(s).Breached(t.Context(), password)
			checkError(t, ok, err, tt.want)
		})
	}
}

func TestMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"empty":           "",
		"blank lines":     "\r\n\r\n",
		"html":            "<html><body>Service Unavailable</body></html>",
		"no colon":        suffix + "\r\n",
		"short suffix":    suffix[1:] + ":3",
		"non-hex suffix":  "Z" + suffix[1:] + ":3",
		"negative count":  suffix + ":-3",
		"count not digit": suffix + ":many",
		"bad later line":  suffix + ":3\r\nnonsense",
		"too large":       strings.Repeat(suffix+":1\r\n", 30000),
	} {
		t.Run(name, func(t *testing.T) {
			s := hibptest.New(t)
			s.Override(http.StatusOK, body)
			ok, err := newChecker(s).Breached(t.Context(), password)
			checkError(t, ok, err, "malformed response")
		})
	}
}

func TestSlowServer(t *testing.T) {
	s := hibptest.New(t)
	s.SetDelay(time.Minute)
	c := hibp.NewChecker(hibp.Config{BaseURL: s.URL(), Timeout: 200 * time.Millisecond})
	start := time.Now()
	ok, err := c.Breached(t.Context(), password)
	// The server hangs a minute: returning well before that is the timeout's doing.
	// (The bound is generous, so that a busy machine cannot break it.)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("Breached took %v with a 200ms timeout against a server that hangs a minute", took)
	}
	checkError(t, ok, err, "range request failed")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
}

func TestCallerDeadline(t *testing.T) {
	s := hibptest.New(t)
	s.SetDelay(time.Minute)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	// The server and the checker's own timeout wait a minute: returning well before
	// that is the caller's deadline's doing.
	ok, err := hibp.NewChecker(hibp.Config{BaseURL: s.URL(), Timeout: time.Minute}).Breached(ctx, password)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("Breached took %v with the caller's 100ms deadline against a server that hangs a minute", took)
	}
	checkError(t, ok, err, "range request failed")
}

func TestDefaultTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 2s default timeout")
	}
	s := hibptest.New(t)
	s.SetDelay(time.Minute)
	start := time.Now()
	ok, err := hibp.NewChecker(hibp.Config{BaseURL: s.URL()}).Breached(t.Context(), password)
	// At least the default timeout, and well before the minute the server hangs.
	if took := time.Since(start); took < hibp.DefaultTimeout || took > 30*time.Second {
		t.Errorf("Breached took %v, want the default timeout of %v", took, hibp.DefaultTimeout)
	}
	checkError(t, ok, err, "deadline")
}

func TestUnreachable(t *testing.T) {
	// A port that was free a moment ago: connections to it are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ok, err := hibp.NewChecker(hibp.Config{BaseURL: "http://" + addr}).Breached(t.Context(), password)
	checkError(t, ok, err, "range request failed")
	if strings.Contains(err.Error(), "/range/") {
		t.Errorf("error %q quotes the request URL", err)
	}

	ok, err = hibp.NewChecker(hibp.Config{BaseURL: "http://[::1"}).Breached(t.Context(), password)
	checkError(t, ok, err, "base URL")
}

// checkError asserts that a check failed with an error that contains want and
// gives nothing away.
func checkError(t *testing.T, ok bool, err error, want string) {
	t.Helper()
	if err == nil || ok {
		t.Fatalf("Breached = %v, %v; want false and an error", ok, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	noSecret(t, "the error", err.Error())
}

// noSecret asserts that text holds neither the password nor any part of its hash
// beyond the prefix, in either case.
func noSecret(t *testing.T, what, text string) {
	t.Helper()
	for _, secret := range []string{password, hash, suffix, suffix[:8], suffix[len(suffix)-8:]} {
		if strings.Contains(strings.ToUpper(text), strings.ToUpper(secret)) {
			t.Errorf("%s gives away %q: %q", what, secret, text)
		}
	}
}
