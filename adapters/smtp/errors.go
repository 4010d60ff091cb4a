package smtp

import (
	"errors"
	"net/textproto"
	"regexp"
	"strings"

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

// refused is the relay's reply: Postfix quotes the recipient and URL filters the
// link, so its text is scrubbed.
func refused(code int, text string) *ports.SendError {
	return &ports.SendError{Status: code, Reason: ports.ScrubReason(text), Permanent: code >= 500}
}
