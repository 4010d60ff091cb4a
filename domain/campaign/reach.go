package campaign

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// Window is how long the one-e-mail-per-user limit of a campaign holds: longer than
// any campaign runs.
const Window = 10 * 365 * 24 * time.Hour

// ReasonSentAlready is what a second e-mail to one user is stored suppressed with.
const ReasonSentAlready = "campaign_sent_already"

// Key is the limit key that allows campaign id one e-mail to user uid.
func Key(id, uid string) string { return ports.CampaignKeyPrefix + id + ":user:" + uid }

// reach e-mails user u once in campaign c: it marks the password unusable first if
// c says so, then queues the e-mail under the per-user limit. It reports whether
// this call queued it; false for a user without an address, or one reached before.
func (s *Service) reach(ctx context.Context, c ports.Campaign, u ports.User) (bool, error) {
	if !reachable(u) {
		return false, nil
	}
	// A user reached before a crash may have set a new password since: it must not
	// be marked unusable again. LatestEvent tells; the limit below stays the guard.
	if at, err := s.d.Queue.LatestEvent(ctx, Key(c.ID, u.ID)); err != nil {
		return false, fmt.Errorf("read whether the user was reached: %w", err)
	} else if !at.IsZero() {
		return false, nil
	}
	m, err := s.prepare(ctx, c, u)
	if m == nil || err != nil {
		return false, err
	}
	_, refused, err := s.d.Queue.AddLimited(ctx, *m, s.d.Clock.Now())
	if err != nil {
		return false, fmt.Errorf("queue the e-mail: %w", err)
	}
	return refused < 0, nil
}

// reachable tells whether u gets an e-mail at all: not without an address, nor
// when inactive.
func reachable(u ports.User) bool { return u.Email != "" && !u.Inactive }

// prepare marks u's password unusable if c says so and composes u's e-mail under
// the per-user limit, for the caller to queue; nil for a user deleted meanwhile.
// The caller has found u not reached yet.
func (s *Service) prepare(ctx context.Context, c ports.Campaign, u ports.User) (*ports.LimitedMessage, error) {
	var err error
	if c.Invalidate {
		if u, err = s.invalidate(ctx, u); errors.Is(err, ports.ErrUserNotFound) {
			return nil, nil // deleted since it was listed
		} else if err != nil {
			return nil, err
		}
	}
	msg, err := s.d.Letter.Compose(u, c.Invalidate, s.d.Clock.Now())
	if err != nil {
		return nil, err
	}
	limit := ports.Limit{Key: Key(c.ID, u.ID), Max: 1, Window: Window, Reason: ReasonSentAlready}
	return &ports.LimitedMessage{Message: msg, Limits: []ports.Limit{limit}}, nil
}

// invalidate replaces u's password hash by an unusable one, as Django's
// set_unusable_password does, with a compare-and-set: a hash that changed since it
// was read is read again. A hash unusable already is left as it is (a page queued
// again after a crash). It returns the user as stored, whose hash the link signs.
func (s *Service) invalidate(ctx context.Context, u ports.User) (ports.User, error) {
	for range 5 {
		if strings.HasPrefix(u.PasswordHash, reset.UnusablePasswordPrefix) {
			return u, nil
		}
		hash := unusableHash()
		err := s.d.Users.SetPassword(ctx, ports.PasswordChange{UserID: u.ID, OldHash: u.PasswordHash, NewHash: hash, ChangedAt: s.d.Clock.Now()})
		switch {
		case err == nil:
			u.PasswordHash = hash
			return u, nil
		case !errors.Is(err, ports.ErrPasswordChanged):
			return u, fmt.Errorf("mark the password unusable: %w", err)
		}
		if u, err = s.d.Users.FindByID(ctx, u.ID); err != nil {
			return u, fmt.Errorf("read the user again: %w", err)
		}
	}
	return u, errors.New("mark the password unusable: it kept changing under the campaign; run the campaign again")
}

// unusableHash is Django's unusable password: "!" and 40 random characters.
func unusableHash() string {
	return reset.UnusablePasswordPrefix + rand.Text()[:26] + rand.Text()[:14]
}
