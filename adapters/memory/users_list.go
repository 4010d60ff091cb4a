package memory

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/pwreset/pwreset/ports"
)

var _ ports.UserLister = (*UserStore)(nil)

// ListUsers implements ports.UserLister. Ids that are decimal integers sort as
// numbers, before any other, which sort as text: the order PostgreSQL gives an
// integer or a text id column.
func (s *UserStore) ListUsers(_ context.Context, q ports.UserQuery) ([]ports.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var page []ports.User
	for _, u := range s.users {
		if (q.After == "" || compareIDs(u.ID, q.After) > 0) && matches(u, q.Where) {
			page = append(page, clone(u))
		}
	}
	slices.SortFunc(page, func(a, b ports.User) int { return compareIDs(a.ID, b.ID) })
	return page[:min(len(page), q.Limit)], nil
}

// CountUsers implements ports.UserLister.
func (s *UserStore) CountUsers(_ context.Context, where []ports.Field) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, u := range s.users {
		if matches(u, where) {
			n++
		}
	}
	return n, nil
}

// matches tells whether u holds every value of where, in its login fields, its
// address ("email") or its language ("language").
func matches(u ports.User, where []ports.Field) bool {
	for _, f := range where {
		switch {
		case f.Name == "email" && u.Email == f.Value, f.Name == "language" && u.Language == f.Value:
		case slices.Contains(u.Logins, f):
		default:
			return false
		}
	}
	return true
}

func compareIDs(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(x, y)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return cmp.Compare(a, b)
}
