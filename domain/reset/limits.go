package reset

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Keys of the rate limiter. The events of userKey are the links a user was sent:
// they give the daily cap, and which links are older than the latest. The cooldown
// has a key of its own, as a limit of one event per window, which the limiter keeps
// exact when requests race.
func userKey(id string) string     { return "reset_link:user:" + id }
func cooldownKey(id string) string { return "reset_link:cooldown:" + id }

const (
	globalKey = "reset_link:global"
	// Stand-ins for unknown users count apart, so that requests for accounts that do
	// not exist cannot use up the links of those that do.
	strangersKey = "reset_link:global:unknown"
	day          = 24 * time.Hour
	// undoTimeout bounds taking counted events back. It runs after a failure, when
	// the store may well be down; an event left behind only delays the next link.
	undoTimeout = 5 * time.Second
)

// counted is what the limiter recorded for one link request: events of these keys,
// all at one time, to be taken back if the link does not go out after all.
type counted struct {
	at   time.Time
	keys []string
}

// limit returns why a link to userID may not go out now ("" if it may), and the
// events it recorded on the way. It does the same calls for a stranger as for a user.
//
// The user's own limits come first and the cap all users share last, so that a
// request the cooldown or the daily cap stops does not use up the shared cap:
// otherwise a handful of known logins, asked for again and again, would silence
// every user's links for an hour. Whatever stops a link, the caller takes back what
// was counted before (see Send): only links that go out count.
func (s *LinkSender) limit(ctx context.Context, userID string, stranger bool) (string, counted, error) {
	c := counted{at: s.clock.Now()}
	if s.cfg.LinkCooldown > 0 {
		ok, err := s.count(ctx, &c, cooldownKey(userID), 1, s.cfg.LinkCooldown)
		if err != nil {
			return "", c, fmt.Errorf("check the link cooldown: %w", err)
		}
		if !ok {
			return ReasonCooldown, c, nil
		}
	}
	daily := s.cfg.LinkDailyCap
	if daily <= 0 {
		daily = math.MaxInt32 // no cap, but the link is recorded all the same
	}
	ok, err := s.count(ctx, &c, userKey(userID), daily, day)
	if err != nil {
		return "", c, fmt.Errorf("check the daily link cap: %w", err)
	}
	if !ok {
		return ReasonDailyCap, c, nil
	}
	if s.cfg.LinksPerHour > 0 {
		global := globalKey
		if stranger {
			global = strangersKey
		}
		ok, err := s.count(ctx, &c, global, s.cfg.LinksPerHour, time.Hour)
		if err != nil {
			return "", c, fmt.Errorf("check the hourly link cap: %w", err)
		}
		if !ok {
			return ReasonGlobalCap, c, nil
		}
	}
	return "", c, nil
}

// count asks the limiter to record an event of key and notes it in c if it did, or
// may have: an error can hide an event recorded all the same (a lost reply).
func (s *LinkSender) count(ctx context.Context, c *counted, key string, limit int, window time.Duration) (bool, error) {
	ok, _, err := s.limiter.Allow(ctx, key, limit, window, c.at)
	if ok || err != nil {
		c.keys = append(c.keys, key)
	}
	return ok, err
}

// undo takes back the events of c, newest first. It runs even when the client has
// gone: the events would otherwise hold back the retry the answer asked for, and
// kill the user's older link where newer links invalidate older ones.
func (s *LinkSender) undo(ctx context.Context, c counted) error {
	if len(c.keys) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
	defer cancel()
	var errs []error
	for i := len(c.keys) - 1; i >= 0; i-- {
		if err := s.limiter.Undo(ctx, c.keys[i], c.at); err != nil {
			errs = append(errs, fmt.Errorf("take back a counted link: %w", err))
		}
	}
	return errors.Join(errs...)
}

// record notes a link to userID that goes out now outside the limits (an
// operator's), as the user's latest, and returns what to undo should it not go out.
func (s *LinkSender) record(ctx context.Context, userID string) (counted, error) {
	c := counted{at: s.clock.Now(), keys: []string{userKey(userID)}}
	if _, _, err := s.limiter.Allow(ctx, c.keys[0], math.MaxInt32, day, c.at); err != nil {
		return c, errors.Join(fmt.Errorf("record the link: %w", err), s.undo(ctx, c))
	}
	return c, nil
}

// superseded reports whether a link issued at timestamp was followed by a newer
// link to userID, which kills it when older links are invalidated.
func (r *Resetter) superseded(ctx context.Context, userID string, timestamp int64) (bool, error) {
	if !r.cfg.InvalidateOlderLinks {
		return false, nil
	}
	latest, err := r.limiter.Latest(ctx, userKey(userID))
	if err != nil {
		return false, fmt.Errorf("look up the user's latest link: %w", err)
	}
	return latest.Unix() > timestamp, nil
}
