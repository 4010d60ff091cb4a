package http

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/labstack/echo/v5"
)

// errAmbiguousLength is a request with both Content-Length and Transfer-Encoding.
// RFC 9112 §6.1: such a message "ought to be handled as an error", since a proxy in
// front may have read its body by the other header (request smuggling). Go's server
// drops the Content-Length without a word, so conn reads the heads itself.
var errAmbiguousLength = errors.New("request with both Content-Length and Transfer-Encoding")

// heads follows a connection's request stream far enough to find each head: it
// skips Content-Length bodies and stops following at a Transfer-Encoding, after which
// the answer closes the connection (see Server), so no later head goes unseen.
type heads struct {
	line          []byte // the part of a line read so far
	count         int64  // heads begun
	inHead        bool
	hasLength     bool
	hasEncoding   bool
	contentLength int64
	skip          int64 // body bytes still to pass over
	lost          bool  // no longer following: a chunked body, or a head Go refuses
}

// scan reads the next bytes of the stream. It returns the number of a head with
// both Content-Length and Transfer-Encoding that ended in them, or 0.
func (h *heads) scan(p []byte) (ambiguous int64) {
	for len(p) > 0 && !h.lost {
		if h.skip > 0 {
			n := min(h.skip, int64(len(p)))
			h.skip -= n
			p = p[n:]
			continue
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			h.line = append(h.line, p...)
			// Go's server answers 431 to a head this long and closes.
			h.lost = len(h.line) > maxHeaderBytes+4096
			return ambiguous
		}
		h.line = append(h.line, p[:i]...)
		p = p[i+1:]
		if h.endLine(bytes.TrimSuffix(h.line, []byte("\r"))) {
			ambiguous = h.count
		}
		h.line = h.line[:0]
	}
	return ambiguous
}

// endLine takes one line of the stream and reports whether it ended an ambiguous head.
func (h *heads) endLine(line []byte) bool {
	if !h.inHead {
		if len(line) > 0 { // Go skips blank lines between requests; so does this
			*h = heads{line: h.line, count: h.count + 1, inHead: true}
		}
		return false
	}
	if len(line) > 0 {
		name, value, _ := bytes.Cut(line, []byte(":"))
		switch {
		case bytes.EqualFold(name, []byte(echo.HeaderContentLength)):
			n, err := strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64)
			h.hasLength, h.contentLength = true, n
			h.lost = err != nil || n < 0 // Go answers 400 and closes
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			h.hasEncoding = true
		}
		return false
	}
	h.inHead = false
	switch {
	case h.hasEncoding:
		h.lost = true
		return h.hasLength
	case h.hasLength:
		h.skip = h.contentLength
	}
	return false
}

// refuseAmbiguousLength answers 400 to a request that Server found ambiguous.
func refuseAmbiguousLength(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if ambiguous, _ := c.Request().Context().Value(ambiguousKey{}).(bool); ambiguous {
			return errAmbiguousLength
		}
		return next(c)
	}
}

// ambiguousKey marks the context of a request refuseAmbiguousLength refuses.
type ambiguousKey struct{}
