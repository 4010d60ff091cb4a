package campaign

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// PageQueue is a Queue that also reads and writes for a whole page at once. Where
// every query of the outbox costs much (FerretDB reads the whole collection for
// each), a round trip or two a user would bound the campaign; with a PageQueue a
// page costs two reads of the outbox and one write, whatever its size. The
// per-user limit stays the guard: each message is stored as AddLimited stores it.
type PageQueue interface {
	Queue
	// LatestEvents returns the time of the newest event of each of keys that has
	// one (LatestEvent for many keys); keys without are absent.
	LatestEvents(ctx context.Context, keys []string) (map[string]time.Time, error)
	// AddLimitedMany stores each message with its limits as AddLimited does, and
	// returns for each, in order, the index of the limit that refused it, or -1.
	AddLimitedMany(ctx context.Context, ms []ports.LimitedMessage, now time.Time) (refused []int, err error)
}

// PageUsers is a Users store that also marks a page's passwords unusable at once
// (MongoDB's, where FerretDB reads the whole collection for each update).
type PageUsers interface {
	// MarkUnusable sets hash, an unusable password, as the password of each of
	// users whose stored one is not unusable already, each document's write
	// atomic, and returns the ids of the users it set it for.
	MarkUnusable(ctx context.Context, users []ports.User, hash string, at time.Time) (map[string]bool, error)
}

// queueBatch is queuePage through a PageQueue: it reads which users of the page
// were reached before (a crash left the page half queued), marks and composes the
// others' e-mails, workers at a time and paced, and queues them in one call. What a
// crash leaves is what it leaves on the per-user path: passwords marked unusable
// (found so again, and not marked twice) and none, some or all of the page's
// e-mails stored, each with its limit event.
func (s *Service) queueBatch(ctx context.Context, q PageQueue, c ports.Campaign, users []ports.User, p *pacer) (int, error) {
	keys := make([]string, 0, len(users))
	for _, u := range users {
		if reachable(u) {
			keys = append(keys, Key(c.ID, u.ID))
		}
	}
	reached, err := q.LatestEvents(ctx, keys)
	if err != nil {
		return 0, fmt.Errorf("read which users were reached: %w", err)
	}
	todo := make([]bool, len(users))
	for i, u := range users {
		_, ok := reached[Key(c.ID, u.ID)]
		todo[i] = !ok && reachable(u)
	}
	if err := s.markPage(ctx, c, users, todo); err != nil {
		return 0, err
	}
	msgs := make([]*ports.LimitedMessage, len(users))
	err = s.each(ctx, users, p, func(i int, u ports.User) error {
		if !todo[i] {
			return nil
		}
		m, err := s.prepare(ctx, c, u)
		msgs[i] = m
		return err
	})
	var batch []ports.LimitedMessage
	for _, m := range msgs {
		if m != nil {
			batch = append(batch, *m)
		}
	}
	refused, qerr := q.AddLimitedMany(ctx, batch, s.d.Clock.Now())
	if qerr != nil {
		return 0, fmt.Errorf("queue the page's e-mails: %w", qerr)
	}
	queued := 0
	for _, r := range refused {
		if r < 0 {
			queued++
		}
	}
	return queued, err
}

// markPage marks the passwords of the users of the page to reach unusable at once,
// through a PageUsers store, if c says so: one fresh unusable hash for the page
// (no password matches it, and each link is signed over its user's id as well).
// It ends where invalidate's compare-and-set loop ends: a password changed since
// the page was read is marked too, one marked by someone else meanwhile is left
// as it is. Users it did not mark are left to prepare, which reads them again.
func (s *Service) markPage(ctx context.Context, c ports.Campaign, users []ports.User, todo []bool) error {
	pu, ok := s.d.Users.(PageUsers)
	if !c.Invalidate || !ok {
		return nil
	}
	var need []ports.User
	for i, u := range users {
		if todo[i] && !strings.HasPrefix(u.PasswordHash, reset.UnusablePasswordPrefix) {
			need = append(need, u)
		}
	}
	hash := unusableHash()
	marked, err := pu.MarkUnusable(ctx, need, hash, s.d.Clock.Now())
	if err != nil {
		return fmt.Errorf("mark the page's passwords unusable: %w", err)
	}
	for i := range users {
		if todo[i] && marked[users[i].ID] {
			users[i].PasswordHash = hash
		}
	}
	return nil
}
