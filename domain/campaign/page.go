package campaign

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/pwreset/pwreset/ports"
)

// page returns the next users of c after its cursor, at most n, and the id to
// move the cursor to once they are queued. A listed id whose user is gone is
// skipped, and counted done.
func (s *Service) page(ctx context.Context, c ports.Campaign, n int) ([]ports.User, string, error) {
	if len(c.IDs) == 0 {
		users, err := s.d.Users.ListUsers(ctx, ports.UserQuery{After: c.Cursor, Limit: n, Where: c.Where})
		if err != nil {
			return nil, "", fmt.Errorf("list users: %w", err)
		}
		if len(users) == 0 {
			return nil, c.Cursor, nil
		}
		return users, users[len(users)-1].ID, nil
	}
	from := 0
	if c.Cursor != "" {
		from = sort.SearchStrings(c.IDs, c.Cursor)
		if from < len(c.IDs) && c.IDs[from] == c.Cursor {
			from++
		}
	}
	ids := c.IDs[from:min(len(c.IDs), from+n)]
	users := make([]ports.User, 0, len(ids))
	for _, id := range ids {
		u, err := s.d.Users.FindByID(ctx, id)
		switch {
		case errors.Is(err, ports.ErrUserNotFound):
			u = ports.User{ID: id} // no address: counted done, never sent
		case err != nil:
			return nil, "", fmt.Errorf("look up user %s: %w", id, err)
		}
		users = append(users, u)
	}
	if len(ids) == 0 {
		return nil, c.Cursor, nil
	}
	return users, ids[len(ids)-1], nil
}
