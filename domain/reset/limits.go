package reset

import (
	"context"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Keys of the limits. The events of userKey are the links a user was sent: they
// give the daily cap, and which links are older than the latest. The cooldown has
// a key of its own, as a limit of one event per window.
func userKey(id string) string     { return "reset_link:user:" + id }
func cooldownKey(id string) string { return "reset_link:cooldown:" + id }

// clientKey counts the links of one client's requests, known and unknown logins
// alike, so that its share of the hourly cap tells neither apart.
func clientKey(client string) string { return "reset_link:client:" + client }

const (
	globalKey = "reset_link:global"
	// Stand-ins for unknown users count apart, so that requests for accounts that do
	// not exist cannot use up the links of those that do.
	strangersKey = "reset_link:global:unknown"
	day          = 24 * time.Hour
	// unlimited is the Max of a limit that only records: the daily cap when it is
	// off, and the operator's links, which count as the user's latest.
	unlimited = ports.Unlimited
)

// limits are those a link to userID goes out within, in the order a refusal names
// them: the user's own first (the cooldown before the daily cap), then the share of
// the client who asks, then the hourly cap all users share, or strangers share
// apart. Only a link that goes out (or, for a stranger, would) counts, and against
// all of them: a refused one counts nowhere.
func (s *LinkSender) limits(userID, client string, stranger bool) []ports.Limit {
	var limits []ports.Limit
	if s.cfg.LinkCooldown > 0 {
		limits = append(limits, ports.Limit{Key: cooldownKey(userID), Max: 1, Window: s.cfg.LinkCooldown, Reason: ReasonCooldown})
	}
	daily := s.cfg.LinkDailyCap
	if daily <= 0 {
		daily = unlimited // no cap, but the link is recorded all the same
	}
	limits = append(limits, ports.Limit{Key: userKey(userID), Max: daily, Window: day, Reason: ReasonDailyCap})
	if s.cfg.LinksPerClient > 0 && client != "" {
		limits = append(limits, ports.Limit{Key: clientKey(client), Max: s.cfg.LinksPerClient, Window: time.Hour, Reason: ReasonClientCap})
	}
	if s.cfg.LinksPerHour > 0 {
		global := globalKey
		if stranger {
			global = strangersKey
		}
		limits = append(limits, ports.Limit{Key: global, Max: s.cfg.LinksPerHour, Window: time.Hour, Reason: ReasonGlobalCap})
	}
	return limits
}

// operatorLimits record an operator's link to userID as the user's latest: the
// cooldown runs from it, and it counts toward their daily cap, without either
// holding it back. (The simulation met the want of the cooldown's record on
// MongoDB, TestSimMongo seed 121: there a message's limit events live on its
// document, which `outbox retry` deletes with the failed link, so the user could
// ask again at once. That deletion, which also takes the link's events of the
// client share and the hourly cap, is the MongoDB adapter's and stays: see
// docs/adapters.md.)
func (s *LinkSender) operatorLimits(userID string) []ports.Limit {
	var limits []ports.Limit
	if s.cfg.LinkCooldown > 0 {
		limits = append(limits, ports.Limit{Key: cooldownKey(userID), Max: unlimited, Window: s.cfg.LinkCooldown, Reason: ReasonCooldown})
	}
	return append(limits, ports.Limit{Key: userKey(userID), Max: unlimited, Window: day, Reason: ReasonDailyCap})
}

// store stores m, dated at, in the outbox with its limits, and returns its id and
// why it does not go out: m.Suppress, the reason of the limit that refused it, or
// "" when it goes out. It is one write: the link counts if and only if its message
// is stored, whatever fails, so there is nothing to take back.
func (s *LinkSender) store(ctx context.Context, m ports.LimitedMessage, at time.Time) (string, string, error) {
	id, refused, err := s.outbox.AddLimited(ctx, m, at)
	switch {
	case err != nil:
		return "", "", fmt.Errorf("queue reset link for user %s: %w", m.Message.UserID, err)
	case refused >= len(m.Limits):
		return "", "", fmt.Errorf("queue reset link for user %s: the outbox refused limit %d of %d", m.Message.UserID, refused, len(m.Limits))
	case refused >= 0:
		return id, m.Limits[refused].Reason, nil
	}
	return id, m.Suppress, nil
}

// superseded reports whether a link issued at timestamp was followed by a newer
// link to userID, which kills it when older links are invalidated.
func (r *Resetter) superseded(ctx context.Context, userID string, timestamp int64) (bool, error) {
	if !r.cfg.InvalidateOlderLinks {
		return false, nil
	}
	latest, err := r.outbox.LatestEvent(ctx, userKey(userID))
	if err != nil {
		return false, fmt.Errorf("look up the user's latest link: %w", err)
	}
	return latest.Unix() > timestamp, nil
}
