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

// errFoldedHeader is a request with a header folded over several lines (obs-fold: a
// line that starts with a space or a tab). RFC 9112 §5.2 deprecates it and lets a
// server refuse it with 400. Go's server joins the lines without a word, while a proxy
// in front may read them otherwise, and the two would not agree on the head.
var errFoldedHeader = errors.New("request with a header folded over several lines")

// heads follows a connection's request stream far enough to find each head: it
// skips Content-Length bodies and stops following at a Transfer-Encoding, after which
// the answer closes the connection (see Server), so no later head goes unseen.
type heads struct {
	line          []byte // the part of a line read so far
	count         int64  // heads begun
	inHead        bool
	hasLength     bool
	hasEncoding   bool
	folded        bool
	contentLength int64
	skip          int64 // body bytes still to pass over
	lost          bool  // no longer following: a chunked body, or a head Go refuses
}

// scan reads the next bytes of the stream. It returns the number of the first head
// that ended in them and is to be refused, and why; 0 and nil if none.
func (h *heads) scan(p []byte) (refused int64, why error) {
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
			return refused, why
		}
		h.line = append(h.line, p[:i]...)
		p = p[i+1:]
		if err := h.endLine(bytes.TrimSuffix(h.line, []byte("\r"))); err != nil && why == nil {
			refused, why = h.count, err
		}
		h.line = h.line[:0]
	}
	return refused, why
}

// endLine takes one line of the stream and returns why the head it ended is to be
// refused; nil if it ended none, or a good one.
func (h *heads) endLine(line []byte) error {
	if !h.inHead {
		if len(line) > 0 { // Go skips blank lines between requests; so does this
			*h = heads{line: h.line, count: h.count + 1, inHead: true}
		}
		return nil
	}
	if len(line) > 0 {
		h.header(line)
		return nil
	}
	h.inHead = false
	switch {
	case h.folded:
		// Which line a folded header belongs to is what is in doubt: stop following.
		h.lost = true
		return errFoldedHeader
	case h.hasEncoding:
		h.lost = true
		if h.hasLength {
			return errAmbiguousLength
		}
	case h.hasLength:
		h.skip = h.contentLength
	}
	return nil
}

// header takes one line of a head after the request line.
func (h *heads) header(line []byte) {
	if line[0] == ' ' || line[0] == '\t' {
		h.folded = true
		return
	}
	name, value, _ := bytes.Cut(line, []byte(":"))
	switch {
	case bytes.EqualFold(name, []byte(echo.HeaderContentLength)):
		n, err := strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64)
		h.hasLength, h.contentLength = true, n
		h.lost = err != nil || n < 0 // Go answers 400 and closes
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		h.hasEncoding = true
	}
}

// refuseBadFraming answers 400 to a request whose head Server refused.
func refuseBadFraming(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if err, _ := c.Request().Context().Value(refusedKey{}).(error); err != nil {
			return err
		}
		return next(c)
	}
}

// refusedKey holds, in the context of a request refuseBadFraming refuses, why.
type refusedKey struct{}
