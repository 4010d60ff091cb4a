package smtp

import (
	"errors"
	"net/textproto"
	"regexp"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/pwreset/pwreset/ports"
)

// maxReason bounds SendError.Reason: it ends up in logs and in the outbox.
const maxReason = 300

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
	return &ports.SendError{Reason: clip(err.Error())}
}

func refused(code int, text string) *ports.SendError {
	return &ports.SendError{Status: code, Reason: clip(text), Permanent: code >= 500}
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxReason {
		s = string(r[:maxReason]) + "…"
	}
	return s
}
