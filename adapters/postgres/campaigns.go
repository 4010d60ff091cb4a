package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/ports"
)

// CampaignStore is the ports.CampaignStore of the table pwreset_campaigns (see
// Migrate).
type CampaignStore struct {
	pool    *pgxpool.Pool
	timeout time.Duration
}

var _ ports.CampaignStore = (*CampaignStore)(nil)

// NewCampaignStore returns the store on pool; timeout bounds each call
// (DefaultTimeout if ≤ 0).
func NewCampaignStore(pool *pgxpool.Pool, timeout time.Duration) *CampaignStore {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &CampaignStore{pool: pool, timeout: timeout}
}

const campaignColumns = `id, state, ids, where_names, where_values, rate, invalidate, cursor, total, done, queued, created_at, updated_at`

// Create implements ports.CampaignStore.
func (s *CampaignStore) Create(ctx context.Context, c ports.Campaign) error {
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	names, values := splitFields(c.Where)
	_, err := s.pool.Exec(opCtx, `INSERT INTO pwreset_campaigns (`+campaignColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, c.State, nonNil(c.IDs), names, values, c.Rate, c.Invalidate, c.Cursor, c.Total, c.Done, c.Queued, c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return translateWrite(ctx, "store the campaign", err)
	}
	return nil
}

// Get implements ports.CampaignStore.
func (s *CampaignStore) Get(ctx context.Context, id string) (ports.Campaign, error) {
	return s.one(ctx, "read the campaign", `SELECT `+campaignColumns+` FROM pwreset_campaigns WHERE id = $1`, id)
}

// List implements ports.CampaignStore.
func (s *CampaignStore) List(ctx context.Context) ([]ports.Campaign, error) {
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, _ := s.pool.Query(opCtx, `SELECT `+campaignColumns+` FROM pwreset_campaigns ORDER BY created_at DESC, id DESC`)
	all, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, translate(ctx, "list the campaigns", err)
	}
	for i := range all {
		all[i].IDs = nil
	}
	return all, nil
}

// Advance implements ports.CampaignStore in one conditional UPDATE; a campaign
// that is not running is read as it is.
func (s *CampaignStore) Advance(ctx context.Context, id, cursor string, done, queued int, at time.Time) (ports.Campaign, error) {
	c, err := s.one(ctx, "record the campaign's progress", `UPDATE pwreset_campaigns
		SET cursor = $2, done = done + $3, queued = queued + $4, updated_at = $5
		WHERE id = $1 AND state = 'running' RETURNING `+campaignColumns, id, cursor, done, queued, at)
	if errors.Is(err, ports.ErrCampaignNotFound) {
		return s.Get(ctx, id)
	}
	return c, err
}

// SetState implements ports.CampaignStore in one conditional UPDATE.
func (s *CampaignStore) SetState(ctx context.Context, id string, from []string, state string, at time.Time) (ports.Campaign, error) {
	c, err := s.one(ctx, "change the campaign's state", `UPDATE pwreset_campaigns SET state = $3, updated_at = $4
		WHERE id = $1 AND state = ANY($2) RETURNING `+campaignColumns, id, from, state, at)
	if !errors.Is(err, ports.ErrCampaignNotFound) {
		return c, err
	}
	if c, err = s.Get(ctx, id); err != nil {
		return c, err
	}
	return c, ports.ErrCampaignState
}

func (s *CampaignStore) one(ctx context.Context, op, sql string, args ...any) (ports.Campaign, error) {
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, _ := s.pool.Query(opCtx, sql, args...)
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return c, ports.ErrCampaignNotFound
	case err != nil:
		return c, translateWrite(ctx, op, err)
	}
	return c, nil
}

func scanCampaign(row pgx.CollectableRow) (ports.Campaign, error) {
	var c ports.Campaign
	var names, values []string
	err := row.Scan(&c.ID, &c.State, &c.IDs, &names, &values, &c.Rate, &c.Invalidate, &c.Cursor, &c.Total, &c.Done, &c.Queued,
		&c.CreatedAt, &c.UpdatedAt)
	for i := range min(len(names), len(values)) {
		c.Where = append(c.Where, ports.Field{Name: names[i], Value: values[i]})
	}
	if len(c.IDs) == 0 {
		c.IDs = nil
	}
	return c, err
}

func splitFields(fields []ports.Field) (names, values []string) {
	names, values = []string{}, []string{}
	for _, f := range fields {
		names, values = append(names, f.Name), append(values, f.Value)
	}
	return names, values
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
