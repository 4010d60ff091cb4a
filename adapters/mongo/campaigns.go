package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// DefaultCampaignCollection holds the campaigns unless NewCampaignStore is told otherwise.
const DefaultCampaignCollection = "pwreset_campaigns"

// CampaignStore is the ports.CampaignStore of a collection, one document a
// campaign. Every change is one conditional single-document update.
type CampaignStore struct {
	coll    *mongo.Collection
	timeout time.Duration
}

var _ ports.CampaignStore = (*CampaignStore)(nil)

// NewCampaignStore returns the store of collection (DefaultCampaignCollection if
// empty) in db; timeout bounds each call (DefaultTimeout if ≤ 0).
func NewCampaignStore(db *mongo.Database, collection string, timeout time.Duration) *CampaignStore {
	if collection == "" {
		collection = DefaultCampaignCollection
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &CampaignStore{coll: db.Collection(collection), timeout: timeout}
}

// campaignDoc is a campaign as stored.
type campaignDoc struct {
	ID         string        `bson:"_id"`
	State      string        `bson:"state"`
	IDs        []string      `bson:"ids"`
	Where      []ports.Field `bson:"where"`
	Rate       float64       `bson:"rate"`
	Invalidate bool          `bson:"invalidate"`
	Cursor     string        `bson:"cursor"`
	Total      int           `bson:"total"`
	Done       int           `bson:"done"`
	Queued     int           `bson:"queued"`
	CreatedAt  time.Time     `bson:"created_at"`
	UpdatedAt  time.Time     `bson:"updated_at"`
}

func (d campaignDoc) campaign() ports.Campaign {
	c := ports.Campaign(d)
	if len(c.IDs) == 0 {
		c.IDs = nil
	}
	if len(c.Where) == 0 {
		c.Where = nil
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c
}

// Create implements ports.CampaignStore.
func (s *CampaignStore) Create(ctx context.Context, c ports.Campaign) error {
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if _, err := s.coll.InsertOne(opCtx, campaignDoc(c)); err != nil {
		return translate(ctx, "store the campaign", err)
	}
	return nil
}

// Get implements ports.CampaignStore.
func (s *CampaignStore) Get(ctx context.Context, id string) (ports.Campaign, error) {
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var d campaignDoc
	if err := s.coll.FindOne(opCtx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return ports.Campaign{}, s.translate(ctx, "read the campaign", err)
	}
	return d.campaign(), nil
}

// List implements ports.CampaignStore.
func (s *CampaignStore) List(ctx context.Context) ([]ports.Campaign, error) {
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	opts := options.Find().SetProjection(bson.D{{Key: "ids", Value: 0}}).SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}})
	cur, err := s.coll.Find(opCtx, bson.D{}, opts)
	if err != nil {
		return nil, translate(ctx, "list the campaigns", err)
	}
	var docs []campaignDoc
	if err := cur.All(opCtx, &docs); err != nil {
		return nil, translate(ctx, "list the campaigns", err)
	}
	all := make([]ports.Campaign, 0, len(docs))
	for _, d := range docs {
		all = append(all, d.campaign())
	}
	return all, nil
}

// Advance implements ports.CampaignStore: one update conditional on the state.
func (s *CampaignStore) Advance(ctx context.Context, id, cursor string, done, queued int, at time.Time) (ports.Campaign, error) {
	c, err := s.update(ctx, "record the campaign's progress", bson.D{{Key: "_id", Value: id}, {Key: "state", Value: ports.CampaignRunning}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "cursor", Value: cursor}, {Key: "updated_at", Value: at}}},
			{Key: "$inc", Value: bson.D{{Key: "done", Value: done}, {Key: "queued", Value: queued}}}})
	if errors.Is(err, ports.ErrCampaignNotFound) {
		return s.Get(ctx, id)
	}
	return c, err
}

// SetState implements ports.CampaignStore: one update conditional on the state.
func (s *CampaignStore) SetState(ctx context.Context, id string, from []string, state string, at time.Time) (ports.Campaign, error) {
	c, err := s.update(ctx, "change the campaign's state", bson.D{{Key: "_id", Value: id}, {Key: "state", Value: bson.D{{Key: "$in", Value: from}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: state}, {Key: "updated_at", Value: at}}}})
	if !errors.Is(err, ports.ErrCampaignNotFound) {
		return c, err
	}
	if c, err = s.Get(ctx, id); err != nil {
		return c, err
	}
	return c, ports.ErrCampaignState
}

func (s *CampaignStore) update(ctx context.Context, op string, filter, update bson.D) (ports.Campaign, error) {
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var d campaignDoc
	err := s.coll.FindOneAndUpdate(opCtx, filter, update, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err != nil {
		return ports.Campaign{}, s.translate(ctx, op, err)
	}
	return d.campaign(), nil
}

// translate is the package's translate, with no document meaning no campaign.
func (s *CampaignStore) translate(ctx context.Context, op string, err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ports.ErrCampaignNotFound
	}
	return translate(ctx, op, err)
}
