package outbox_test

import (
	"context"
	"errors"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// ClaimBatch counts with Claim's counter and fails like it; sizes notes the size
// of each batch the store handed out.
func (s *store) ClaimBatch(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]ports.Envelope, error) {
	s.claims.Add(1)
	if s.down.Load() {
		return nil, errors.New("store down")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	envs, err := s.Outbox.ClaimBatch(ctx, owner, now, lease, n)
	s.mu.Lock()
	s.sizes = append(s.sizes, len(envs))
	s.mu.Unlock()
	return envs, err
}

// batchSizes returns the sizes of the batches claimed so far.
func (s *store) batchSizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.sizes...)
}
