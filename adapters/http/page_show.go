package http

import (
	"errors"
	"log/slog"
	stdhttp "net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"github.com/pwreset/pwreset/domain/reset"
)

// checkName counts the page's link checks per client IP, apart from the API's
// requests, at the rate of reset-password.
const checkName = "Reset Page"

// show serves the page for the link in its URL. A link whose values are malformed
// or which the use case refuses shows what happened and the form that asks for a new
// one; a good one shows the form for the new password. The link is only checked,
// never used up.
func (p *page) show(c *echo.Context) error {
	d := p.data(c)
	q := c.Request().URL.Query()
	l := linkValues{UserID: q.Get("user_id"), Timestamp: q.Get("timestamp"), Signature: q.Get("signature")}
	if !l.complete() {
		d.setState(stateIncomplete)
		return p.render(c, stdhttp.StatusOK, d)
	}
	d.Link = l
	login, err := p.check(c, l)
	if bad := badLink(err); bad != "" {
		d.badLink(bad)
	} else {
		d.Login = login
	}
	return p.render(c, stdhttp.StatusOK, d)
}

// check asks the use case about the link. When it cannot tell (the client checks too
// often, the workflow is off, the store does not answer) the page shows the form,
// whose post checks the link again and says what is wrong.
func (p *page) check(c *echo.Context, l linkValues) (string, error) {
	if err := p.h.allow(c, checkName, p.h.cfg.ResetRate); err != nil {
		return "", nil
	}
	ts, _ := strconv.ParseInt(l.Timestamp, 10, 64) // complete: digits that fit
	login, err := p.h.resetter.CheckLink(c.Request().Context(), l.UserID, ts, l.Signature)
	if err != nil && badLink(err) == "" {
		p.log.LogAttrs(c.Request().Context(), slog.LevelWarn, "the reset page could not check its link",
			append(requestIDAttrs(c), slog.String("error", err.Error()))...)
	}
	return login, err
}

// badLink returns the API's message for an error that says the link is bad, or "".
func badLink(err error) string {
	switch {
	case errors.Is(err, reset.ErrSignatureExpired):
		return msgSignatureExpired
	case errors.Is(err, reset.ErrInvalidSignature):
		return msgInvalidSignature
	}
	return ""
}

// badLink shows that the link is bad, msg saying why (one of the API's messages).
func (d *pageData) badLink(msg string) {
	d.setState(stateBadLink)
	if msg == msgSignatureExpired {
		d.Heading, d.Title = d.T.TitleExpired, d.T.TitleExpired
	}
	d.Errors = []message{translated(d.Lang, msg)}
}

var (
	timestampPattern = regexp.MustCompile(`^[0-9]{1,18}$`)
	signaturePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// complete reports whether l holds the three values of a link in a form the API
// could accept. Only such values are written into the page, as hidden fields.
func (l linkValues) complete() bool {
	id := l.UserID
	return id != "" && len(id) <= 256 && utf8.ValidString(id) && strings.IndexFunc(id, unicode.IsControl) < 0 &&
		timestampPattern.MatchString(l.Timestamp) && signaturePattern.MatchString(l.Signature)
}
