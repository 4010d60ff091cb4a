package http

import (
	stdhttp "net/http"

	"github.com/labstack/echo/v5"

	"github.com/pwreset/pwreset/domain/reset"
)

// Answers of send-reset-password-link, as DRR words them.
const (
	msgLinkSent         = "Reset link sent"
	msgLinkSentIfExists = "Reset link sent if the user exists in database"
)

// sendLinkRequest is the body of send-reset-password-link.
type sendLinkRequest struct {
	Login string // the "login" field, or "email" when Config.UseEmail
}

// sendLink e-mails a reset link to the user named in the body.
func (h *handlers) sendLink(c *echo.Context) error {
	b, err := readBody(c, maxSendBody)
	if err != nil {
		return err
	}
	msg, err := h.send(c, b)
	if err != nil {
		return err
	}
	return c.JSONBlob(stdhttp.StatusOK, sendAnswers[msg])
}

// sendAnswers are the answers' bodies as c.JSON would write them (Echo's default
// serializer: encoding/json's Encoder), encoded once rather than per request.
var sendAnswers = map[string][]byte{
	msgLinkSent:         encodedDetail(msgLinkSent),
	msgLinkSentIfExists: encodedDetail(msgLinkSentIfExists),
}

// send e-mails a link to the user b names and returns the answer's message; the
// reset page's form without script shares it.
func (h *handlers) send(c *echo.Context, b body) (string, error) {
	req, err := h.decodeSendLink(b)
	if err != nil {
		return "", err
	}
	lookup := reset.Lookup{Value: req.Login, ByEmail: h.cfg.UseEmail, Languages: preferredLanguages(c.Request()),
		Client: clientKey(clientIPOf(c), h.cfg.ClientIPv6Prefix)}
	if err := h.sender.Send(c.Request().Context(), lookup); err != nil {
		return "", err
	}
	// When unknown users are not revealed, a known one gets the same cautious answer.
	if !h.sender.RevealsUnknownUsers() {
		return msgLinkSentIfExists, nil
	}
	return msgLinkSent, nil
}

func (h *handlers) decodeSendLink(b body) (sendLinkRequest, error) {
	name := "login"
	if h.cfg.UseEmail {
		name = "email"
	}
	f := fields{body: b}
	req := sendLinkRequest{Login: f.text(name)}
	return req, f.err()
}
