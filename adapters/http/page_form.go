package http

import (
	"encoding/json"
	"maps"
	stdhttp "net/http"
	"slices"

	"github.com/labstack/echo/v5"
)

// reset sets the new password the page's form posts when the browser runs no
// script, with the checks and answers of the API (its rate, the workflow switch, the
// body's rules, the use case), answered as the page in the request's language.
func (p *page) reset(c *echo.Context) error {
	d := p.data(c)
	if err := p.csrf.Check(c.Request()); err != nil {
		return p.refuse(c, d)
	}
	b, err := p.read(c, resetName, p.h.cfg.ResetRate, maxResetBody)
	if err == nil {
		err = p.h.reset(c, b)
	}
	d.Link = linkValues{UserID: b.string("user_id"), Timestamp: b.string("timestamp"), Signature: b.string("signature")}
	d.Login = b.string("username")
	if err == nil {
		d.setState(stateDone)
		return p.render(c, stdhttp.StatusOK, d)
	}
	if msg := badLink(err); msg != "" {
		d.badLink(msg)
	} else if !d.Link.complete() {
		d.setState(stateIncomplete)
	}
	return p.fail(c, d, err)
}

// newLink asks for a new link as send-reset-password-link does, for the page's form
// posted without script.
func (p *page) newLink(c *echo.Context) error {
	d := p.data(c)
	if err := p.csrf.Check(c.Request()); err != nil {
		return p.refuse(c, d)
	}
	d.setState(stateNewLink)
	b, err := p.read(c, sendLinkName, p.h.cfg.SendLinkRate, maxSendBody)
	var msg string
	if err == nil {
		msg, err = p.h.send(c, b)
	}
	if err == nil {
		d.setState(stateLinkSent)
		d.Notice = translate(d.Lang, msg)
		return p.render(c, stdhttp.StatusOK, d)
	}
	return p.fail(c, d, err)
}

// read admits the request as the API's endpoint name would, and reads its body (up
// to limit bytes, as that endpoint does): a refused one too, to show its form again
// with the link's values.
func (p *page) read(c *echo.Context, name string, rate Rate, limit int64) (body, error) {
	refused := p.h.allow(c, name, rate)
	b, err := readBody(c, limit)
	if refused != nil {
		return b, refused
	}
	return b, err
}

// refuse answers a form posted from another site: it may be forged (CSRF), so it
// changes nothing.
func (p *page) refuse(c *echo.Context, d pageData) error {
	d.setState(stateRefused)
	d.Title = d.T.ErrorPrefix + d.Title
	d.Errors = say(d.T.CrossSite)
	return p.render(c, stdhttp.StatusForbidden, d)
}

// fail answers err as the API would (status, Retry-After, the log line of a 5xx, a
// client that left recorded as such),
// with its messages translated: those of the form's fields beside them, the others
// above the form.
func (p *page) fail(c *echo.Context, d pageData, err error) error {
	a := answerTo(c, err)
	if abandonedOrNoted(c, p.log, a, err) {
		return nil
	}
	if d.State == stateForm || d.State == stateNewLink {
		msgs := messagesOf(a.body)
		for _, name := range slices.Sorted(maps.Keys(msgs)) {
			list := d.Fields.of(name)
			if list == nil {
				list = &d.Errors
			}
			for _, m := range msgs[name] {
				*list = append(*list, translated(d.Lang, m))
			}
		}
	}
	d.Title = d.T.ErrorPrefix + d.Title
	return p.render(c, a.status, d)
}

// of returns the messages of the form's field name, nil for a name no field has.
func (f *fieldMessage) of(name string) *[]message {
	switch name {
	case "password":
		return &f.Password
	case "password_confirm":
		return &f.PasswordConfirm
	case "login", "email":
		return &f.Login
	}
	return nil
}

// messagesOf reads an answer's body as the script does: each key's message or
// messages, whatever the body's shape.
func messagesOf(answer any) map[string][]string {
	raw, err := json.Marshal(answer)
	if err != nil {
		return nil
	}
	var fields map[string]any
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	msgs := map[string][]string{}
	for name, v := range fields {
		switch v := v.(type) {
		case string:
			msgs[name] = []string{v}
		case []any:
			for _, m := range v {
				if s, ok := m.(string); ok {
					msgs[name] = append(msgs[name], s)
				}
			}
		}
	}
	return msgs
}

// string returns the text value of a body's field, "" if it has none.
func (b body) string(name string) string {
	s, _ := b[name].(string)
	return s
}
