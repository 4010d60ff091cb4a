package memory

import (
	"context"
	"slices"
	"sync"

	"github.com/pwreset/pwreset/ports"
)

// UserStore keeps users in memory.
type UserStore struct {
	loginFields []string
	mu          sync.Mutex
	users       []ports.User
}

// NewUserStore returns a store of users, looked up by login in loginFields order.
func NewUserStore(loginFields []string, users ...ports.User) *UserStore {
	s := &UserStore{loginFields: loginFields}
	for _, u := range users {
		s.Add(u)
	}
	return s
}

// Add stores a copy of u, replacing any user with the same ID.
func (s *UserStore) Add(u ports.User) {
	u.Logins = slices.Clone(u.Logins)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.index(u.ID); i >= 0 {
		s.users[i] = u
		return
	}
	s.users = append(s.users, u)
}

// FindByLogin implements ports.UserStore.
func (s *UserStore) FindByLogin(_ context.Context, login string) (ports.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, field := range s.loginFields {
		for _, u := range s.users {
			if slices.Contains(u.Logins, ports.Field{Name: field, Value: login}) {
				return clone(u), nil
			}
		}
	}
	return ports.User{}, ports.ErrUserNotFound
}

// FindByEmail implements ports.UserStore.
func (s *UserStore) FindByEmail(_ context.Context, email string) (ports.User, error) {
	return s.find(func(u ports.User) bool { return u.Email != "" && u.Email == email })
}

// FindByID implements ports.UserStore.
func (s *UserStore) FindByID(_ context.Context, id string) (ports.User, error) {
	return s.find(func(u ports.User) bool { return u.ID == id })
}

// SetPassword implements ports.UserStore as a compare-and-set under the lock.
func (s *UserStore) SetPassword(_ context.Context, c ports.PasswordChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(c.UserID)
	switch {
	case i < 0:
		return ports.ErrUserNotFound
	case s.users[i].PasswordHash != c.OldHash:
		return ports.ErrPasswordChanged
	}
	s.users[i].PasswordHash = c.NewHash
	return nil
}

func (s *UserStore) find(match func(ports.User) bool) (ports.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if match(u) {
			return clone(u), nil
		}
	}
	return ports.User{}, ports.ErrUserNotFound
}

// index returns the position of the user with id, or -1. The caller holds the lock.
func (s *UserStore) index(id string) int {
	return slices.IndexFunc(s.users, func(u ports.User) bool { return u.ID == id })
}

func clone(u ports.User) ports.User {
	u.Logins = slices.Clone(u.Logins)
	return u
}
