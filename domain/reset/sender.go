package reset

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/ports"
)

// Reasons a link is not sent, as the outbox and the audit log record them.
const (
	ReasonUnknownUser = "unknown_user"
	ReasonNoEmail     = "no_email"
	ReasonCooldown    = "cooldown"
	ReasonDailyCap    = "daily_cap"
	ReasonGlobalCap   = "global_cap"
	// ReasonClientCap is a link over its client's share of the hourly cap.
	ReasonClientCap = "client_cap"
	// ReasonPrinted is a link an operator printed (IssueLink): recorded, never sent.
	ReasonPrinted = "printed_by_operator"
)

// LimitReasons are the Reasons of every limit a link request counts against, for
// stores that prepare something per limit at start (MongoDB's ticket indexes).
var LimitReasons = []string{ReasonCooldown, ReasonDailyCap, ReasonClientCap, ReasonGlobalCap}

// Lookup says how to find the user who asks for a link.
type Lookup struct {
	Value   string
	ByEmail bool // look Value up in the e-mail field rather than the login fields
	// Languages are those the requester prefers, best first (from Accept-Language); the
	// link e-mail is in the first supported one unless the user has a language of their own.
	Languages []string
	// Client names who asks (an IPv4 address, or an IPv6 client's prefix), whose
	// share of the hourly cap the link counts against (Config.LinksPerClient); empty:
	// no share is counted (the operator's commands).
	Client string
}

// LinkSender sends reset-password links.
type LinkSender struct {
	cfg         Config
	strangerKey []byte // keys the stand-ins' ids; see stranger
	users       ports.UserStore
	outbox      Outbox
	signer      link.Scheme
	clock       ports.Clock
	emails      Emails
	audit       *audit.Log
	macs        sync.Pool // *strangerMAC: keying an HMAC costs two hashes
}

// LinkSenderDeps are what a LinkSender works with; every one is needed.
type LinkSenderDeps struct {
	// Config is the workflow's configuration; its Secret keys the stand-ins.
	Config Config
	// Users finds the user who asks for a link.
	Users ports.UserStore
	// Outbox stores every link e-mail, whether it goes out or not, with the limits
	// it counts against (AddLimited). app wires domain/outbox.Queue.
	Outbox Outbox
	// Signer signs the links.
	Signer link.Scheme
	// Clock dates the links.
	Clock ports.Clock
	// Emails are the templates of the link e-mail.
	Emails Emails
	// Audit records the requests and what became of them.
	Audit *audit.Log
}

// NewLinkSender returns the send-link use case.
func NewLinkSender(d LinkSenderDeps) *LinkSender {
	return &LinkSender{cfg: d.Config, strangerKey: deriveKey(d.Config.Secret, strangerKeyPurpose), users: d.Users,
		outbox: d.Outbox, signer: d.Signer, clock: d.Clock, emails: d.Emails, audit: d.Audit}
}

// Send finds the user and queues a link e-mail. A user who cannot be found or has
// no e-mail address gets no mail: Send returns ErrUserNotFound if the configuration
// reveals that, and nil otherwise. A user over a rate limit gets no mail either, and
// the same answer as one who gets it.
//
// Unless it reveals unknown users, Send does the same work whatever the outcome
// (look-up, signing, rendering, one outbox write that checks the limits), so that
// its timing does not tell who has an account.
func (s *LinkSender) Send(ctx context.Context, l Lookup) error {
	user, reason, err := s.find(ctx, l)
	if err != nil {
		return err
	}
	s.audit.EventAttrs(ctx, audit.LinkRequested, slog.String("user_id", known(user, reason)))
	if reason != "" && s.cfg.FailWhenUserNotFound {
		s.audit.EventAttrs(ctx, audit.LinkSuppressed, slog.String("reason", reason))
		return ErrUserNotFound
	}
	at := s.clock.Now()
	msg, err := s.linkMessage(user, l.Languages, at, reason != "")
	if err != nil {
		return err
	}
	// A stranger's link counts as a user's would, but is stored suppressed, its body
	// kept as a pending one's is: that takes the same write (its link is a decoy).
	// Its audit reason stays the stranger's, whatever limit also refused it.
	m := ports.LimitedMessage{Message: msg, Limits: s.limits(user.ID, l.Client, reason != ""), Suppress: reason, KeepBody: reason != ""}
	_, stored, err := s.store(ctx, m, at)
	if reason == "" {
		reason = stored
	}
	switch {
	case err != nil:
		return err
	case reason != "":
		s.audit.EventAttrs(ctx, audit.LinkSuppressed, slog.String("user_id", known(user, reason)), slog.String("reason", reason))
	default:
		s.audit.EventAttrs(ctx, audit.LinkQueued, slog.String("user_id", user.ID))
	}
	return nil
}

// find looks the user up. An unknown user comes back as a stand-in, with the reason
// the link will not be sent. The stand-in is worked out for every request, so that
// a known user's costs what an unknown login's does.
func (s *LinkSender) find(ctx context.Context, l Lookup) (ports.User, string, error) {
	stand := s.stranger(l.Value)
	var user ports.User
	var err error
	if l.ByEmail {
		user, err = s.users.FindByEmail(ctx, l.Value)
	} else {
		user, err = s.users.FindByLogin(ctx, l.Value)
	}
	switch {
	case errors.Is(err, ports.ErrUserNotFound):
		return stand, ReasonUnknownUser, nil
	case err != nil:
		return user, "", fmt.Errorf("look up user: %w", err)
	case user.Email == "":
		return user, ReasonNoEmail, nil
	}
	return user, "", nil
}

// strangerKeyPurpose separates the key of the stand-ins' ids from any other use of
// the secret.
const strangerKeyPurpose = "pwreset.reset.stranger.v1"

// DefaultStrangerSlots is how many stand-ins unknown logins share by default: few
// enough to bound what a stream of unknown logins stores (issue 18 item 9: at most
// two limit keys a slot, and as many counted links a day as the slots' daily caps
// allow), many enough that two unknown logins of one hour rarely share one, and so
// rarely find its cooldown or daily cap used by the other (a refusal a known user
// would not meet).
const DefaultStrangerSlots = 8192

// stranger stands in for a user who does not exist, so that the limits and the
// message are worked out for the unknown as for the known. Its id cannot collide
// with a real one, and the same login gets the same stand-in. Unknown logins share
// a ring of StrangerSlots stand-ins: a login's slot is a keyed hash of it, so that
// neither the slot nor the id, which names the slot, tells which logins were tried
// (a plain hash could be guessed back from the database by hashing likely logins).
func (s *LinkSender) stranger(login string) ports.User {
	m, _ := s.macs.Get().(*strangerMAC)
	if m == nil {
		m = &strangerMAC{mac: hmac.New(sha256.New, s.strangerKey)}
	}
	defer s.macs.Put(m)
	m.mac.Reset()
	m.buf = append(m.buf[:0], login...) // the mac's Write would make this copy anyway
	m.mac.Write(m.buf)
	slots := uint64(DefaultStrangerSlots)
	if s.cfg.StrangerSlots > 0 {
		slots = uint64(s.cfg.StrangerSlots)
	}
	m.sum = m.mac.Sum(m.sum[:0])
	slot := binary.BigEndian.Uint64(m.sum) % slots
	return ports.User{ID: strangerID(slot)}
}

// strangerMAC is an HMAC keyed for the stand-ins, with buffers for its input and
// sum: all three are reused.
type strangerMAC struct {
	mac      hash.Hash
	buf, sum []byte
}

// strangerID is the id of the stand-in in slot: fmt's "unknown-%032x", without fmt.
func strangerID(slot uint64) string {
	const prefix, digits = "unknown-", "0123456789abcdef"
	var b [len(prefix) + 32]byte
	copy(b[:], prefix)
	for i := len(b) - 1; i >= len(prefix); i-- {
		b[i] = digits[slot&15]
		slot >>= 4
	}
	return string(b[:])
}

// deriveKey keys an HMAC for one purpose alone, as Django's salted_hmac does.
func deriveKey(secret []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

func known(user ports.User, reason string) string {
	if reason == ReasonUnknownUser {
		return ""
	}
	return user.ID
}

// linkMessage builds the link e-mail for user, with a link signed at the time at,
// in the user's language or else the first supported of langs. A decoy's link is
// signed all the same, so that it costs what a real one does, but carries a
// signature of zeros of the same length: it is kept in the outbox and goes to
// nobody, so it must open nothing (a user without an address exists).
func (s *LinkSender) linkMessage(user ports.User, langs []string, at time.Time, decoy bool) (ports.Message, error) {
	lang := s.emails.Link.language(user, langs)
	return s.emails.Link.Render(lang, s.cfg.From, user, map[string]string{"verification_url": s.link(user, at, decoy)})
}

// link returns a link for user, signed at the time at, or its decoy.
func (s *LinkSender) link(user ports.User, at time.Time, decoy bool) string {
	claims := link.Claims{UserID: user.ID, Timestamp: at.Unix(), PasswordHash: user.PasswordHash}
	signature := s.signer.Sign(claims)
	zeros := decoySignature(len(signature)) // taken for every link: the same work
	if decoy {
		signature = zeros
	}
	return link.Build(s.cfg.URL, claims, signature)
}

// decoyZeros hold the decoys' signatures: every signature of pwreset's schemes is shorter.
var decoyZeros = strings.Repeat("0", 128)

// decoySignature returns n zeros, shared rather than made per link.
func decoySignature(n int) string {
	if n <= len(decoyZeros) {
		return decoyZeros[:n]
	}
	return strings.Repeat("0", n)
}

// Enabled reports whether the workflow is switched on; when it is not, both
// endpoints answer as if they did not exist.
func (s *LinkSender) Enabled() bool { return s.cfg.Enabled }

// RevealsUnknownUsers reports whether an unknown user gets an error rather than the
// same answer as a known one.
func (s *LinkSender) RevealsUnknownUsers() bool { return s.cfg.FailWhenUserNotFound }
