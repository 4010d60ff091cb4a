package smtp

import (
	"errors"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/pwreset/pwreset/ports"
)

// reply finds an SMTP reply ("550 5.1.1 no such user") in go-mail's text.
var reply = regexp.MustCompile(`\b[45]\d\d[ -].*`)

// classify turns go-mail's error into a *ports.SendError: an SMTP reply of the
// relay keeps its code and text, and a 5xx is permanent; anything else (refused,
// timed out, TLS refused) never reached a verdict and is temporary.
func classify(err error) *ports.SendError {
	var sendErr *gomail.SendError
	var protoErr *textproto.Error
	switch {
	case errors.As(err, &sendErr) && sendErr.ErrorCode() >= 400:
		// go-mail's text names the step and, after ", affected", the recipients:
		// those stay out.
		text, _, _ := strings.Cut(sendErr.Error(), ", affected")
		if m := reply.FindString(text); m != "" {
			text = m
		}
		return refused(sendErr.ErrorCode(), text)
	case errors.As(err, &protoErr) && protoErr.Code >= 400:
		return refused(protoErr.Code, protoErr.Error())
	}
	return &ports.SendError{Reason: ports.ScrubReason(err.Error())}
}

// refused is the relay's reply, with the wait a 4xx names. Its text is scrubbed:
// Postfix quotes the recipient, and URL filters the link.
func refused(code int, text string) *ports.SendError {
	e := &ports.SendError{Status: code, Reason: ports.ScrubReason(text), Permanent: code >= 500}
	if !e.Permanent {
		e.RetryAfter = retryAfter(text)
	}
	return e
}

// checkError is a kept connection's failed NOOP.
type checkError struct{ err error }

func (e *checkError) Error() string {
	return "the kept connection failed its check (NOOP): " + e.err.Error()
}

func (e *checkError) Unwrap() error { return e.err }

// stale reports whether err says that a kept connection was no longer usable
// before the message's first command was answered: its NOOP failed, go-mail found
// it closed, or MAIL FROM (or a pipelined command before the relay asked for the
// message) failed without a reply or with 421 (the relay closing the connection,
// as Postfix says on an idle timeout). Nothing of the message was sent then.
func stale(err error) bool {
	var ce *checkError
	var pe *stepError
	var se *gomail.SendError
	switch {
	case errors.As(err, &ce):
		return true
	case errors.As(err, &pe):
		return pe.before && !inStep(pe.err)
	case !errors.As(err, &se):
		return false
	case se.Reason == gomail.ErrConnCheck:
		return true
	}
	return se.Reason == gomail.ErrSMTPMailFrom && (se.ErrorCode() == 0 || se.ErrorCode() == 421)
}

// maxRetryAfter caps the wait a reply can ask for.
const maxRetryAfter = 24 * time.Hour

// statedWait finds the wait a relay's reply names: "try again in 30 seconds",
// "retry after 5 minutes". SMTP has no Retry-After; relays that limit their
// senders' rate say it in words, if at all.
var statedWait = regexp.MustCompile(`(?i)\b(?:in|after)\s+(\d{1,6})\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|h)\b`)

// retryAfter is the wait text names, or zero.
func retryAfter(text string) time.Duration {
	m := statedWait.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	unit := time.Second
	switch strings.ToLower(m[2])[0] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	}
	return min(time.Duration(n)*unit, maxRetryAfter)
}
