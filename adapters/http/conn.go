package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	stdhttp "net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"
)

// conn is a client connection. It follows the request heads that pass (framing.go)
// and rewrites the answers Go's server writes on its own, which would otherwise be
// text/plain without the security headers or a request id.
type conn struct {
	net.Conn
	log *slog.Logger
	// heads is read only by Read, which Go's server never calls concurrently.
	heads heads
	// refused is the first request whose head is refused (both Content-Length and
	// Transfer-Encoding, a folded header); nil if none has been yet.
	refused atomic.Pointer[refusal]
	// served counts the requests handed to the handler, in the order they came.
	served atomic.Int64
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if at, why := c.heads.scan(p[:n]); why != nil {
		c.refused.CompareAndSwap(nil, &refusal{at: at, why: why})
	}
	return n, err
}

// refusal is a request to refuse: its number on the connection, from 1, and why.
type refusal struct {
	at  int64
	why error
}

// next counts a request handed to the handler and returns why it is to be refused;
// nil if it is not. A request pipelined behind a refused one is refused as well: its
// framing cannot be trusted.
func (c *conn) next() error {
	n := c.served.Add(1)
	if r := c.refused.Load(); r != nil && n >= r.at {
		return r.why
	}
	return nil
}

// goErrorHeaders are the headers of every answer Go's server writes on its own,
// right after the status line (net/http's conn.serve). A handler's answer never
// starts so: Go adds a Date header to it, and this API's carry the security headers,
// which Go writes before any it adds.
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *conn) Write(p []byte) (int, error) {
	status, reason, ok := goAnswer(p)
	if !ok {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(c.answer(status, reason)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// goAnswer recognises an answer Go's server wrote on its own and returns its status
// and what it says. Each is written in one piece.
func goAnswer(p []byte) (status int, reason string, ok bool) {
	// Go answers an HTTP/1.0 request's unmet Expect with "HTTP/1.0 417".
	if len(p) < len("HTTP/1.1 400 ") || !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) && !bytes.HasPrefix(p, []byte("HTTP/1.0 ")) {
		return 0, "", false
	}
	status, err := strconv.Atoi(string(p[9:12]))
	if err != nil {
		return 0, "", false
	}
	if status == stdhttp.StatusExpectationFailed {
		// An Expect other than 100-continue; no handler here answers 417.
		return status, stdhttp.StatusText(status), true
	}
	lineEnd := bytes.IndexByte(p, '\n') - 1
	if lineEnd < 0 || !bytes.HasPrefix(p[lineEnd:], []byte(goErrorHeaders)) {
		return 0, "", false
	}
	body := p[lineEnd+len(goErrorHeaders):]
	// Most bodies repeat the status ("400 Bad Request: missing required Host header").
	body = bytes.TrimPrefix(body, p[9:13])
	return status, string(body), true
}

// answer is the API's answer for status: JSON, with the security headers and an
// id of its own, logged as the access log would.
func (c *conn) answer(status int, reason string) []byte {
	id := rand.Text()
	body, _ := json.Marshal(detail(reason))
	body = append(body, '\n') // as Echo writes JSON
	h := stdhttp.Header{}
	setSecurityHeaders(h)
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	h.Set(echo.HeaderConnection, "close")
	h.Set(echo.HeaderXRequestID, id)
	h.Set("Date", time.Now().UTC().Format(stdhttp.TimeFormat))
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, stdhttp.StatusText(status))
	_ = h.Write(&b) // a bytes.Buffer takes every write
	b.WriteString("\r\n")
	b.Write(body)

	client := c.RemoteAddr().String()
	if a, ok := parseHost(client); ok {
		client = a.String()
	}
	c.log.LogAttrs(context.Background(), slog.LevelInfo, "request refused by the HTTP server",
		slog.Int("status", status),
		slog.String("reason", reason),
		slog.String("request_id", id),
		slog.String("client_ip", client),
	)
	return b.Bytes()
}

// CloseWrite lets Go's server half-close the connection after a 431, as it does
// with a bare TCP connection, so that the client reads the answer.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
