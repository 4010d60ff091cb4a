package contract

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/pwreset/pwreset/ports"
)

// TestCampaignStore runs the CampaignStore contract against the fresh, empty
// stores newStore makes.
func TestCampaignStore(t *testing.T, newStore func(t *testing.T) ports.CampaignStore) {
	ctx := context.Background()
	sample := ports.Campaign{ID: "c1", State: ports.CampaignRunning, IDs: []string{"1", "2"}, Rate: 12.5, Invalidate: true,
		Total: 2, CreatedAt: t0, UpdatedAt: t0}
	t.Run("RoundTrip", func(t *testing.T) {
		s := newStore(t)
		where := sample
		where.ID, where.IDs, where.Where, where.CreatedAt = "c2", nil, []ports.Field{{Name: "language", Value: "de"}}, t0.Add(lease)
		for _, c := range []ports.Campaign{sample, where} {
			if err := s.Create(ctx, c); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(ctx, c.ID); err != nil || !equalCampaign(got, c) {
				t.Errorf("Get: %+v, %v; want %+v", got, err, c)
			}
		}
		all, err := s.List(ctx)
		if err != nil || len(all) != 2 || all[0].ID != "c2" || all[1].ID != "c1" || all[1].IDs != nil {
			t.Errorf("List: %+v, %v; want c2 then c1, without ids", all, err)
		}
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, ports.ErrCampaignNotFound) {
			t.Errorf("Get of an unknown id: %v, want ErrCampaignNotFound", err)
		}
	})
	t.Run("Advance", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, sample); err != nil {
			t.Fatal(err)
		}
		got, err := s.Advance(ctx, "c1", "1", 1, 1, t0.Add(lease))
		if err != nil || got.Cursor != "1" || got.Done != 1 || got.Queued != 1 || !got.UpdatedAt.Equal(t0.Add(lease)) {
			t.Errorf("Advance: %+v, %v; want cursor 1, 1 done, 1 queued", got, err)
		}
		if _, err := s.SetState(ctx, "c1", []string{ports.CampaignRunning}, ports.CampaignPaused, t0); err != nil {
			t.Fatal(err)
		}
		got, err = s.Advance(ctx, "c1", "2", 1, 0, t0.Add(2*lease))
		if err != nil || got.Cursor != "1" || got.Done != 1 || got.State != ports.CampaignPaused {
			t.Errorf("Advance of a paused campaign: %+v, %v; want it unchanged", got, err)
		}
		if _, err := s.Advance(ctx, "nope", "1", 1, 1, t0); !errors.Is(err, ports.ErrCampaignNotFound) {
			t.Errorf("Advance of an unknown id: %v, want ErrCampaignNotFound", err)
		}
	})
	t.Run("SetState", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, sample); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SetState(ctx, "c1", []string{ports.CampaignRunning}, ports.CampaignCancelled, t0); err != nil || got.State != ports.CampaignCancelled {
			t.Errorf("cancel: %+v, %v", got, err)
		}
		got, err := s.SetState(ctx, "c1", []string{ports.CampaignPaused, ports.CampaignRunning}, ports.CampaignRunning, t0)
		if !errors.Is(err, ports.ErrCampaignState) || got.State != ports.CampaignCancelled {
			t.Errorf("resume a cancelled campaign: %+v, %v; want ErrCampaignState, still cancelled", got, err)
		}
		if _, err := s.SetState(ctx, "nope", []string{ports.CampaignRunning}, ports.CampaignPaused, t0); !errors.Is(err, ports.ErrCampaignNotFound) {
			t.Errorf("SetState of an unknown id: %v, want ErrCampaignNotFound", err)
		}
	})
}

func equalCampaign(a, b ports.Campaign) bool {
	ta, tb := a.CreatedAt, b.CreatedAt
	a.CreatedAt, b.CreatedAt, a.UpdatedAt, b.UpdatedAt = t0, t0, t0, t0
	return reflect.DeepEqual(a, b) && ta.Equal(tb)
}
