package sim

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// MailMode is the state of the mail provider.
type MailMode int

// The provider's states.
const (
	MailUp MailMode = iota
	MailDown
	MailSlow // takes the message but answers after the sender's timeout
	Mail4xx
	Mail5xx
	Mail429
	MailRevoked // the API key was revoked: every message is refused
	numMailModes
)

var mailNames = [...]string{"up", "down", "slow", "4xx", "5xx", "429", "key-revoked"}

// String names the provider's state as schedules print it.
func (m MailMode) String() string { return mailNames[m] }

// provider is the mail provider as one dispatch pass sees it.
type provider struct{ port }

// Send implements outbox.Provider.
func (p *provider) Send(ctx context.Context, msg ports.Message) (string, error) {
	f := p.t.gate("provider.Send")
	p.t.fault = f
	id := p.t.claimed
	p.w.tracef("task %d (%s, i%d): provider.Send %s of %s, mail %s, %s", p.t.id, p.t.name, p.t.inst, msg.Kind, id, p.w.mail, f)
	switch {
	case f.Kind == Crash:
		if f.Apply {
			p.deliver(id, msg)
		}
		p.w.crashed(p.t)
		p.t.die()
	case f.Kind == Fail || f.Kind == Refuse:
		return "", &ports.SendError{Reason: "connection refused"}
	case p.w.clock.Now().Sub(p.w.claims[p.t.id]) > lease-lease/4:
		// The send began after the dispatcher's own cut-off for it.
		return "", fmt.Errorf("sim: provider.Send: %w", context.DeadlineExceeded)
	}
	switch p.w.mail {
	case MailDown:
		return "", &ports.SendError{Reason: "connection refused"}
	case MailSlow:
		p.deliver(id, msg).window = "the provider answered after the timeout"
		return "", fmt.Errorf("sim: provider.Send: %w", context.DeadlineExceeded)
	case Mail4xx:
		return "", &ports.SendError{Status: 400, Reason: "bad request", Permanent: true}
	case Mail5xx:
		return "", &ports.SendError{Status: 503, Reason: "service unavailable"}
	case Mail429:
		return "", &ports.SendError{Status: 429, Reason: "too many requests", RetryAfter: retryAfter}
	case MailRevoked:
		return "", &ports.SendError{Status: 401, Reason: "the API key was revoked", Permanent: true}
	}
	s := p.deliver(id, msg)
	if f.Kind == Lost || f.Kind == Late || f.Kind == HangUp {
		s.window = "the provider's answer was lost"
		return "", fmt.Errorf("sim: provider.Send: %w", context.DeadlineExceeded)
	}
	return "sim-" + id, nil
}

// deliver records msg as gone out, and keeps a link it carries for resets.
func (p *provider) deliver(id string, msg ports.Message) *sendRec {
	s := &sendRec{id: id, kind: msg.Kind, userID: msg.UserID, task: p.t.id, at: p.w.clock.Now()}
	p.w.hist.sends = append(p.w.hist.sends, s)
	if msg.Kind == reset.KindResetLink {
		if l := linkIn(msg.Text); l != "" {
			p.w.links[msg.UserID] = append(p.w.links[msg.UserID], l)
		}
	}
	return s
}

var linkPattern = regexp.MustCompile(`user_id=([^&\s]+)&timestamp=(\d+)&signature=([^&\s"<]+)`)

// linkIn returns the link in an e-mail's text as "user:timestamp:signature".
func linkIn(text string) string {
	m := linkPattern.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	user, err1 := url.QueryUnescape(m[1])
	sig, err2 := url.QueryUnescape(m[3])
	if err1 != nil || err2 != nil {
		return ""
	}
	return user + " " + m[2] + " " + sig
}

// hasher is the PasswordHasher as one task sees it: a cheap stand-in whose hash
// is the password itself, prefixed, so that every new password is a new hash.
type hasher struct{ port }

// Hash implements ports.PasswordHasher.
func (h *hasher) Hash(password string) (string, error) {
	var hash string
	err := h.do(context.Background(), "hasher.Hash", false, func(context.Context) error {
		hash = "sim$" + password
		return nil
	})
	return hash, err
}

// Verify implements ports.PasswordHasher.
func (h *hasher) Verify(hash, password string) (bool, error) { return hash == "sim$"+password, nil }
