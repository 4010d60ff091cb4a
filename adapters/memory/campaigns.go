package memory

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// CampaignStore keeps campaigns in memory, for tests and demo mode.
type CampaignStore struct {
	mu sync.Mutex
	m  map[string]ports.Campaign
}

var _ ports.CampaignStore = (*CampaignStore)(nil)

// NewCampaignStore returns an empty store.
func NewCampaignStore() *CampaignStore { return &CampaignStore{m: map[string]ports.Campaign{}} }

// Create implements ports.CampaignStore.
func (s *CampaignStore) Create(_ context.Context, c ports.Campaign) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.IDs, c.Where = slices.Clone(c.IDs), slices.Clone(c.Where)
	s.m[c.ID] = c
	return nil
}

// Get implements ports.CampaignStore.
func (s *CampaignStore) Get(_ context.Context, id string) (ports.Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[id]
	if !ok {
		return c, ports.ErrCampaignNotFound
	}
	return c, nil
}

// List implements ports.CampaignStore.
func (s *CampaignStore) List(_ context.Context) ([]ports.Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []ports.Campaign
	for _, c := range s.m {
		c.IDs = nil
		all = append(all, c)
	}
	slices.SortFunc(all, func(a, b ports.Campaign) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return all, nil
}

// Advance implements ports.CampaignStore.
func (s *CampaignStore) Advance(_ context.Context, id, cursor string, done, queued int, at time.Time) (ports.Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[id]
	if !ok {
		return c, ports.ErrCampaignNotFound
	}
	if c.State == ports.CampaignRunning {
		c.Cursor, c.Done, c.Queued, c.UpdatedAt = cursor, c.Done+done, c.Queued+queued, at
		s.m[id] = c
	}
	return c, nil
}

// SetState implements ports.CampaignStore.
func (s *CampaignStore) SetState(_ context.Context, id string, from []string, state string, at time.Time) (ports.Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[id]
	switch {
	case !ok:
		return c, ports.ErrCampaignNotFound
	case !slices.Contains(from, c.State):
		return c, ports.ErrCampaignState
	}
	c.State, c.UpdatedAt = state, at
	s.m[id] = c
	return c, nil
}
