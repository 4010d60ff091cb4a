package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
)

// serve runs the fixture's API behind a real pwhttp.Server on a local port and
// returns its address; the server stops when the test ends.
func (f *fixture) serve(t *testing.T) string {
	t.Helper()
	srv, addr, done := f.start(t)
	t.Cleanup(func() { stop(t, srv, done) })
	return addr
}

// start runs the fixture's API behind a real pwhttp.Server on a local port.
func (f *fixture) start(t *testing.T) (srv *pwhttp.Server, addr string, done <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv = pwhttp.NewServer(f.api, f.log)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	return srv, ln.Addr().String(), served
}

// stop shuts srv down, which returns once every request in flight is finished.
func stop(t *testing.T, srv *pwhttp.Server, done <-chan error) {
	t.Helper()
	// The bound only keeps a bug from hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("shut down: %v", err)
	}
	if err := <-done; err != http.ErrServerClosed {
		t.Errorf("serve: %v", err)
	}
}

// exchange sends raw bytes on a new connection and reads n answers.
func exchange(t *testing.T, addr, raw string, n int) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Not a bound on speed: it only keeps a broken server from hanging the test.
	if err := c.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	var answers []*http.Response
	for range n {
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("answer %d of %q: %v", len(answers)+1, raw[:min(len(raw), 80)], err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		answers = append(answers, resp)
	}
	return answers
}

// expectAnswer checks an answer as the API writes them: the status, JSON with the
// detail, the security headers and a request id.
func expectAnswer(t *testing.T, resp *http.Response, status int, detail string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d", resp.StatusCode, status)
	}
	want := map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store",
		"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
	for name, value := range want {
		if got := resp.Header.Get(name); !strings.HasPrefix(got, value) {
			t.Errorf("%s %q, want %q", name, got, value)
		}
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
	var body struct{ Detail string }
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil || body.Detail != detail {
		t.Errorf("body %q, want detail %q", raw, detail)
	}
}

const linkBody = `{"login":"alice"}`

// TestServerOwnAnswers: what Go's server answers on its own, before any handler
// runs, comes as JSON with the security headers and a logged request id too.
func TestServerOwnAnswers(t *testing.T) {
	post := "POST " + sendPath + " HTTP/1.1\r\n"
	tests := []struct {
		name, raw string
		status    int
		detail    string
	}{
		{"no Host", post + "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n" + linkBody,
			400, "Bad Request: missing required Host header"},
		{"head too large", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 20<<10) + "\r\n\r\n",
			431, "Request Header Fields Too Large"},
		{"unknown transfer coding", post + "Host: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Unsupported transfer encoding"},
		{"malformed request line", "HELLO\r\n\r\n", 400, "Bad Request"},
		{"invalid header name", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n", 400, "Bad Request: invalid header name"},
		{"HTTP/2 by text", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP Version Not Supported: unsupported protocol version"},
		{"two different lengths", post + "Host: x\r\nContent-Length: 17\r\nContent-Length: 18\r\n\r\n" + linkBody,
			400, "Bad Request"},
		{"unknown expectation", post + "Host: x\r\nExpect: miracles\r\nContent-Length: 17\r\n\r\n" + linkBody,
			417, "Expectation Failed"},
		{"unknown expectation, HTTP/1.0", "POST " + sendPath + " HTTP/1.0\r\nExpect: miracles\r\nContent-Length: 17\r\n\r\n" + linkBody,
			417, "Expectation Failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			resp := exchange(t, f.serve(t), tt.raw, 1)[0]
			expectAnswer(t, resp, tt.status, tt.detail)
			id := resp.Header.Get("X-Request-Id")
			if !containsLine(f.logs.lines(t), "request_id", id) {
				t.Errorf("request id %q not logged:\n%s", id, f.logs)
			}
			if n := len(f.mailer.Sent()); n != 0 {
				t.Errorf("%d mails sent", n)
			}
		})
	}
}

// TestServerRefusesAmbiguousLength: a request with both Content-Length and
// Transfer-Encoding is refused (RFC 9112 §6.1), alone or behind another on the
// connection, and changes nothing; framing by either header is left to nobody.
func TestServerRefusesAmbiguousLength(t *testing.T) {
	const refused = "A request may not have both Content-Length and Transfer-Encoding."
	head := "POST " + sendPath + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	plain := head + "Content-Length: 17\r\n\r\n" + linkBody
	chunked := "11\r\n" + linkBody + "\r\n0\r\n\r\n"
	both := head + "Content-Length: 17\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
	bothReversed := head + "transfer-encoding: chunked\r\ncontent-length: 29\r\n\r\n" + chunked
	t.Run("alone", func(t *testing.T) {
		f := newFixture(t)
		resp := exchange(t, f.serve(t), both, 1)[0]
		expectAnswer(t, resp, 400, refused)
		if !resp.Close {
			t.Error("the connection stays open after an ambiguous request")
		}
		if n := len(f.mailer.Sent()); n != 0 {
			t.Errorf("%d mails sent", n)
		}
	})
	t.Run("headers in lower case, other order", func(t *testing.T) {
		f := newFixture(t)
		expectAnswer(t, exchange(t, f.serve(t), bothReversed, 1)[0], 400, refused)
	})
	t.Run("behind a request on the same connection", func(t *testing.T) {
		f := newFixture(t, hidingUnknown)
		// The first body looks like a head; it must be skipped, not read as one.
		decoy := "x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
		first := head + "Content-Length: " + itoa(len(decoy)) + "\r\n\r\n" + decoy
		answers := exchange(t, f.serve(t), first+plain+both, 3)
		expectAnswer(t, answers[0], 400, "JSON parse error - invalid character 'x' looking for beginning of value")
		expectAnswer(t, answers[1], 200, "Reset link sent if the user exists in database")
		expectAnswer(t, answers[2], 400, refused)
		if n := len(f.mailer.Sent()); n != 1 {
			t.Errorf("%d mails sent, want 1", n)
		}
	})
	t.Run("chunked alone is served, then the connection closes", func(t *testing.T) {
		f := newFixture(t)
		resp := exchange(t, f.serve(t), head+"Transfer-Encoding: chunked\r\n\r\n"+chunked+plain, 1)[0]
		expectAnswer(t, resp, 200, "Reset link sent")
		if !resp.Close {
			t.Error("the connection stays open after a chunked request")
		}
		if n := len(f.mailer.Sent()); n != 1 {
			t.Errorf("%d mails sent, want 1: the request behind the chunked one was served", n)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestServerRefusesFoldedHeaders: a header folded over several lines (obs-fold,
// which RFC 9112 §5.2 lets a server refuse) is answered 400 and changes nothing. Go
// joins the lines; a proxy in front may not, and the two would read different heads.
func TestServerRefusesFoldedHeaders(t *testing.T) {
	const refused = "A request may not fold a header over several lines."
	head := "POST " + sendPath + " HTTP/1.1\r\nHost: x\r\n"
	plain := head + "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n" + linkBody
	for name, raw := range map[string]string{
		"space":           head + "Content-Type: application/json\r\nX-Note: a\r\n b\r\nContent-Length: 17\r\n\r\n" + linkBody,
		"tab":             head + "Content-Type:\r\n\tapplication/json\r\nContent-Length: 17\r\n\r\n" + linkBody,
		"bare line feeds": strings.ReplaceAll(head+"X-Note: a\r\n  b\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"+linkBody, "\r\n", "\n"),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, hidingUnknown)
			resp := exchange(t, f.serve(t), raw, 1)[0]
			expectAnswer(t, resp, 400, refused)
			if !resp.Close {
				t.Error("the connection stays open after a folded head")
			}
			if n := len(f.mailer.Sent()); n != 0 {
				t.Errorf("%d mails sent", n)
			}
		})
	}
	t.Run("behind a request on the same connection", func(t *testing.T) {
		f := newFixture(t, hidingUnknown)
		folded := head + "X-Note: a\r\n b\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n" + linkBody
		answers := exchange(t, f.serve(t), plain+folded, 2)
		expectAnswer(t, answers[0], 200, "Reset link sent if the user exists in database")
		expectAnswer(t, answers[1], 400, refused)
		if n := len(f.mailer.Sent()); n != 1 {
			t.Errorf("%d mails sent, want 1", n)
		}
	})
}
