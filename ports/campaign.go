package ports

import (
	"context"
	"errors"
	"time"
)

// ErrCampaignNotFound is returned for a campaign id that does not exist.
var ErrCampaignNotFound = errors.New("no such campaign")

// ErrCampaignState is returned by CampaignStore.SetState when the campaign is not in
// one of the states the change starts from (resuming a cancelled campaign, say).
var ErrCampaignState = errors.New("the campaign is not in a state that allows this")

// CampaignKeyPrefix starts the limit keys of campaigns ("campaign:<id>:user:<uid>",
// one e-mail per user). Their events must outlive the campaign, however long it is
// paused: a store's purge of old limit events keeps them.
const CampaignKeyPrefix = "campaign:"

// States of a campaign.
const (
	CampaignRunning   = "running"   // being queued, or stopped by a crash: resume it
	CampaignPaused    = "paused"    // stopped on purpose after its current page
	CampaignCancelled = "cancelled" // stopped for good
	CampaignDone      = "done"      // every selected user was reached
)

// Campaign is a breach-response campaign: a reset link e-mailed to every user, or
// to those a filter selects, at a rate.
type Campaign struct {
	ID    string
	State string
	// IDs are the users to reach, sorted as strings; empty: every user Where selects.
	IDs []string
	// Where selects users by equal field values (UserQuery.Where) when IDs is empty.
	Where []Field
	// Rate is the most messages queued per second.
	Rate float64
	// Invalidate marks each user's current password unusable before the e-mail.
	Invalidate bool
	// Cursor is the id of the last user of the last page queued; empty before the
	// first. A page is queued again after a crash: harmless, each user gets one e-mail.
	Cursor string
	// Total is how many users the campaign selected when it started.
	Total int
	// Done counts users handled: queued, or skipped; Queued those e-mailed.
	Done, Queued int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CampaignStore keeps campaigns where every instance sees them.
//
//go:generate go tool mockgen -destination=../mocks/campaign.go -package=mocks . CampaignStore
type CampaignStore interface {
	// Create stores c, whose ID the caller chose.
	Create(ctx context.Context, c Campaign) error
	// Get returns one campaign, or ErrCampaignNotFound.
	Get(ctx context.Context, id string) (Campaign, error)
	// List returns every campaign, newest first, without their IDs lists.
	List(ctx context.Context) ([]Campaign, error)
	// Advance records that the page ending at cursor was queued, adding done and
	// queued to the counts, and returns the campaign as it then stands. It writes
	// only while the campaign is running: a paused or cancelled one is returned as
	// it is, so that a page queued while someone paused it does not move its cursor.
	Advance(ctx context.Context, id, cursor string, done, queued int, at time.Time) (Campaign, error)
	// SetState moves the campaign to state if it is in one of from (one conditional
	// write); ErrCampaignState if it is not.
	SetState(ctx context.Context, id string, from []string, state string, at time.Time) (Campaign, error)
}

// UserQuery selects a page of users in the order of their ids.
type UserQuery struct {
	// After is the id of the last user of the previous page; empty: from the first.
	After string
	// Limit is the most users returned.
	Limit int
	// Where keeps users whose named fields (as the store maps them) hold exactly
	// these values, compared as text.
	Where []Field
}

// UserLister pages through every user, for a campaign.
//
//go:generate go tool mockgen -destination=../mocks/userlister.go -package=mocks . UserLister
type UserLister interface {
	// ListUsers returns up to q.Limit users with ids after q.After that match q.Where,
	// in the store's order of ids (numeric ids in numeric order).
	ListUsers(ctx context.Context, q UserQuery) ([]User, error)
	// CountUsers counts the users that match where.
	CountUsers(ctx context.Context, where []Field) (int, error)
}
