package reset

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/pwreset/pwreset/ports"
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
// The limits go to the limiter in one call, which records the link against every
// one of them or, if one has no room, against none: only links that go out count,
// so requests the cooldown or the daily cap stops do not use up the cap all users
// share, and a link that cap stops does not use up its user's day. The user's own
// limits come first, so that a refusal names the cooldown before the daily cap,
// and the daily cap before the shared one. A failed call may hide events recorded
// all the same (a lost reply): they are returned, for the caller to take back.
func (s *LinkSender) limit(ctx context.Context, userID string, stranger bool) (string, counted, error) {
	c := counted{at: s.clock.Now()}
	var limits []ports.Limit
	var reasons []string
	add := func(reason, key string, most int, window time.Duration) {
		limits = append(limits, ports.Limit{Key: key, Max: most, Window: window})
		reasons = append(reasons, reason)
	}
	if s.cfg.LinkCooldown > 0 {
		add(ReasonCooldown, cooldownKey(userID), 1, s.cfg.LinkCooldown)
	}
	daily := s.cfg.LinkDailyCap
	if daily <= 0 {
		daily = math.MaxInt32 // no cap, but the link is recorded all the same
	}
	add(ReasonDailyCap, userKey(userID), daily, day)
	if s.cfg.LinksPerHour > 0 {
		global := globalKey
		if stranger {
			global = strangersKey
		}
		add(ReasonGlobalCap, global, s.cfg.LinksPerHour, time.Hour)
	}
	refused, _, err := s.limiter.AllowAll(ctx, limits, c.at)
	switch {
	case err != nil:
		c.keys = keys(limits)
		return "", c, fmt.Errorf("check the link limits: %w", err)
	case refused >= len(reasons):
		return "", c, fmt.Errorf("check the link limits: the limiter refused limit %d of %d", refused, len(reasons))
	case refused >= 0:
		return reasons[refused], c, nil
	}
	c.keys = keys(limits)
	return "", c, nil
}

func keys(limits []ports.Limit) []string {
	k := make([]string, len(limits))
	for i, l := range limits {
		k[i] = l.Key
	}
	return k
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
