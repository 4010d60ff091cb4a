package reset

import (
	"context"
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
)

// limit returns why a link to userID may not go out now ("" if it may), and records
// it when it may. It does the same calls for a stranger as for a user.
func (s *LinkSender) limit(ctx context.Context, userID string, stranger bool) (string, error) {
	now := s.clock.Now()
	key := userKey(userID)
	if s.cfg.LinkCooldown > 0 {
		ok, _, err := s.limiter.Allow(ctx, cooldownKey(userID), 1, s.cfg.LinkCooldown, now)
		if err != nil {
			return "", fmt.Errorf("check the link cooldown: %w", err)
		}
		if !ok {
			return ReasonCooldown, nil
		}
	}
	// The hourly cap comes before the user's daily count: a link it stops must not be
	// recorded as the user's, where it would use up their day and kill older links.
	if s.cfg.LinksPerHour > 0 {
		global := globalKey
		if stranger {
			global = strangersKey
		}
		ok, _, err := s.limiter.Allow(ctx, global, s.cfg.LinksPerHour, time.Hour, now)
		if err != nil {
			return "", fmt.Errorf("check the hourly link cap: %w", err)
		}
		if !ok {
			return ReasonGlobalCap, nil
		}
	}
	daily := s.cfg.LinkDailyCap
	if daily <= 0 {
		daily = math.MaxInt32 // no cap, but the link is recorded all the same
	}
	ok, _, err := s.limiter.Allow(ctx, key, daily, day, now)
	if err != nil {
		return "", fmt.Errorf("check the daily link cap: %w", err)
	}
	if !ok {
		return ReasonDailyCap, nil
	}
	return "", nil
}

// record notes a link sent to userID outside the limits (an operator's reissue).
func (s *LinkSender) record(ctx context.Context, userID string) error {
	if _, _, err := s.limiter.Allow(ctx, userKey(userID), math.MaxInt32, day, s.clock.Now()); err != nil {
		return fmt.Errorf("record the link: %w", err)
	}
	return nil
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
