package memory

import (
	"context"
	"slices"
	"sync"

	"github.com/pwreset/pwreset/ports"
)

// UserStore keeps users in memory, indexed by id, login and e-mail address, so that
// a look-up costs the same for ten users as for a million (DEMO_USERS).
type UserStore struct {
	loginFields []string
	mu          sync.Mutex
	users       []ports.User
	byID        map[string]int      // position in users
	byLogin     map[ports.Field]int // the first user stored with that login
	byEmail     map[string]int      // the first user stored with that address
	shared      map[string]struct{} // addresses more than one user holds
}

// NewUserStore returns a store of users, looked up by login in loginFields order.
func NewUserStore(loginFields []string, users ...ports.User) *UserStore {
	s := &UserStore{loginFields: loginFields}
	s.reindex()
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
	if i, ok := s.byID[u.ID]; ok {
		s.users[i] = u
		s.reindex() // its logins may have changed; replacing is rare
		return
	}
	s.users = append(s.users, u)
	s.index(len(s.users) - 1)
}

// reindex rebuilds the indexes from users. The caller holds the lock.
func (s *UserStore) reindex() {
	s.byID, s.byLogin, s.byEmail, s.shared = map[string]int{}, map[ports.Field]int{}, map[string]int{}, map[string]struct{}{}
	for i := range s.users {
		s.index(i)
	}
}

// index adds the user at position i to the indexes, where no earlier user holds
// the same login or address. The caller holds the lock.
func (s *UserStore) index(i int) {
	u := s.users[i]
	s.byID[u.ID] = i
	for _, f := range u.Logins {
		if _, taken := s.byLogin[f]; !taken {
			s.byLogin[f] = i
		}
	}
	if u.Email == "" {
		return
	}
	if j, taken := s.byEmail[u.Email]; !taken {
		s.byEmail[u.Email] = i
	} else if j != i {
		s.shared[u.Email] = struct{}{}
	}
}

// FindByLogin implements ports.UserStore: the login fields are tried in order.
func (s *UserStore) FindByLogin(_ context.Context, login string) (ports.User, error) {
	if login == "" {
		return ports.User{}, ports.ErrUserNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, field := range s.loginFields {
		if i, ok := s.byLogin[ports.Field{Name: field, Value: login}]; ok {
			return clone(s.users[i]), nil
		}
	}
	return ports.User{}, ports.ErrUserNotFound
}

// FindByEmail implements ports.UserStore.
func (s *UserStore) FindByEmail(_ context.Context, email string) (ports.User, error) {
	return s.find(s.byEmail, email)
}

// FindByID implements ports.UserStore.
func (s *UserStore) FindByID(_ context.Context, id string) (ports.User, error) {
	return s.find(s.byID, id)
}

// SetPassword implements ports.UserStore as a compare-and-set under the lock.
func (s *UserStore) SetPassword(_ context.Context, c ports.PasswordChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byID[c.UserID]
	switch {
	case !ok:
		return ports.ErrUserNotFound
	case s.users[i].PasswordHash != c.OldHash:
		return ports.ErrPasswordChanged
	}
	s.users[i].PasswordHash = c.NewHash
	return nil
}

func (s *UserStore) find(index map[string]int, key string) (ports.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := index[key]; ok && key != "" {
		return clone(s.users[i]), nil
	}
	return ports.User{}, ports.ErrUserNotFound
}

func clone(u ports.User) ports.User {
	u.Logins = slices.Clone(u.Logins)
	return u
}

// DuplicateEmails counts the e-mail addresses that more than one user holds;
// FindByEmail finds the first stored. The count is kept as users are added.
func (s *UserStore) DuplicateEmails(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.shared), nil
}
