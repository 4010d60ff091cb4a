package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/e2e/harness"
	"github.com/pwreset/pwreset/ports"
)

// countingHasher is the service's argon2id hasher, counting its Hash calls.
type countingHasher struct {
	ports.PasswordHasher
	calls atomic.Int64
	last  atomic.Int64 // when the latest hash was done, in Unix nanoseconds
}

func (h *countingHasher) Hash(password string) (string, error) {
	h.calls.Add(1)
	defer func() { h.last.Store(time.Now().UnixNano()) }()
	return h.PasswordHasher.Hash(password)
}

// resetRig is the reset use case in process, on alice's user document in FerretDB
// (or the MongoDB of MONGODB_TEST_URI), with the MongoDB outbox for its notices.
type resetRig struct {
	resetter *reset.Resetter
	hasher   *countingHasher
	users    *mongo.UserStore
	box      *mongo.Outbox
	id       bson.ObjectID
	link     link.Claims
	signer   *link.Signer
	logs     *syncBuffer
}

// syncBuffer is a log destination that goroutines share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newResetRig builds the rig; wrap, if given, wraps the user store the use case sees.
func newResetRig(t *testing.T, oneTime bool, wrap func(ports.UserStore) ports.UserStore) *resetRig {
	t.Helper()
	db := mongotest.NewDatabase(t)
	r := &resetRig{id: harness.SeedAlice(t, db), users: mongo.NewUserStore(db, mongo.UserMapping{}),
		box:    mongo.NewOutbox(db, mongo.OutboxConfig{}),
		hasher: &countingHasher{PasswordHasher: argon2.NewHasher(argon2.DefaultParams())},
		signer: link.NewSigner([]byte(harness.SecretKey), oneTime), logs: &syncBuffer{}}
	alice, err := r.users.FindByID(t.Context(), r.id.Hex())
	if err != nil {
		t.Fatal(err)
	}
	r.link = link.Claims{UserID: alice.ID, Timestamp: time.Now().Unix(), PasswordHash: alice.PasswordHash}
	cfg := reset.Config{Enabled: true, Period: time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com", OneTimeUse: oneTime, ChangedNotification: true}
	var users ports.UserStore = r.users
	if wrap != nil {
		users = wrap(users)
	}
	log := slog.New(slog.NewJSONHandler(r.logs, nil))
	clock := systemClock{}
	r.resetter = reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Hasher: r.hasher, Signer: r.signer,
		Clock: clock, Policy: policy.New(8), Outbox: outbox.NewQueue(r.box, nil), Emails: reset.DefaultEmails(),
		Audit: audit.New(log), Log: log})
	return r
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// request is a reset with the rig's link and password.
func (r *resetRig) request(password string) reset.Request {
	return reset.Request{UserID: r.link.UserID, Timestamp: r.link.Timestamp, Signature: r.signer.Sign(r.link), Password: password}
}

// storedVerifies reports whether alice's stored hash verifies password.
func (r *resetRig) storedVerifies(t *testing.T, password string) bool {
	t.Helper()
	alice, err := r.users.FindByID(context.Background(), r.id.Hex())
	if err != nil {
		t.Fatal(err)
	}
	ok, err := argon2.NewHasher(argon2.DefaultParams()).Verify(alice.PasswordHash, password)
	return ok && err == nil
}

// notices counts the password-changed notices in the outbox.
func (r *resetRig) notices(t *testing.T) int {
	t.Helper()
	stats, err := r.box.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return stats.Counts[ports.StatePending]
}

// race runs n resets of the rig's link at once, each with a password of its own,
// and returns their errors.
func (r *resetRig) race(n int, password func(int) string) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			errs[i] = r.resetter.Reset(context.Background(), r.request(password(i)))
		})
	}
	close(gate)
	wg.Wait()
	return errs
}

// TestReusableLinkRace: 16 resets of one reusable link at once all succeed, as in
// django-rest-registration; each hashes its password once; the stored hash is one
// of theirs; each success queues its notice. Before, most answered Invalid
// signature and each loser hashed twice.
func TestReusableLinkRace(t *testing.T) {
	const racers = 16
	r := newResetRig(t, false, nil)
	password := func(i int) string { return fmt.Sprintf("racer %02d's reusable passphrase", i) }
	for i, err := range r.race(racers, password) {
		if err != nil {
			t.Errorf("racer %d: %v", i, err)
		}
	}
	// For the record, not a bound: how long the writes took once the last hash was done.
	t.Logf("%d racers written %s after the last hash", racers, time.Since(time.Unix(0, r.hasher.last.Load())).Round(time.Millisecond))
	if n := r.hasher.calls.Load(); n != racers {
		t.Errorf("%d hashes for %d resets; each must hash once", n, racers)
	}
	winner := -1
	for i := range racers {
		if r.storedVerifies(t, password(i)) {
			winner = i
		}
	}
	if winner < 0 {
		t.Error("the stored hash is none of the racers'")
	}
	if n := r.notices(t); n != racers {
		t.Errorf("%d password-changed notices queued for %d changes", n, racers)
	}
}

// TestOneTimeLinkRaceHashesOnce: of 16 resets of one one-time link at once exactly
// one succeeds, the others are Invalid signature, and none hashes twice.
func TestOneTimeLinkRaceHashesOnce(t *testing.T) {
	const racers = 16
	r := newResetRig(t, true, nil)
	password := func(i int) string { return fmt.Sprintf("racer %02d's one-time passphrase", i) }
	winner := -1
	for i, err := range r.race(racers, password) {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("racers %d and %d both reset with one one-time link", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, reset.ErrInvalidSignature):
			t.Errorf("racer %d: %v, want ErrInvalidSignature", i, err)
		}
	}
	if winner < 0 || !r.storedVerifies(t, password(winner)) {
		t.Fatalf("winner %d; the stored hash must be the winner's", winner)
	}
	if n := r.hasher.calls.Load(); n > racers {
		t.Errorf("%d hashes for %d resets; none may hash twice", n, racers)
	}
	if n := r.notices(t); n != 1 {
		t.Errorf("%d password-changed notices queued for one change", n)
	}
}

// faultyUsers wraps a user store: its SetPassword makes the change on a context
// the caller cannot cancel, as a write already on the wire, then fails as chosen.
type faultyUsers struct {
	ports.UserStore
	// after runs once the change is made, with the caller's context, and returns
	// the error the caller gets instead of the store's answer.
	after func(ctx context.Context) error
}

func (f faultyUsers) SetPassword(ctx context.Context, c ports.PasswordChange) error {
	if err := f.UserStore.SetPassword(context.WithoutCancel(ctx), c); err != nil {
		return err
	}
	return f.after(ctx)
}

// TestPasswordChangeIsNeverUnnoticed: a change whose answer is lost, or whose client
// hangs up once the write is sent, is a success with its audit event and its
// notice. Before, the reset answered 503 or 500 though the password had changed,
// and no event and no notice were written.
func TestPasswordChangeIsNeverUnnoticed(t *testing.T) {
	cases := []struct {
		name  string
		after func(hangUp context.CancelFunc) func(ctx context.Context) error
	}{
		{"answer lost", func(context.CancelFunc) func(context.Context) error {
			return func(context.Context) error {
				return fmt.Errorf("mongo: set password: connection reset: %w", ports.ErrUnavailable)
			}
		}},
		{"client hangs up", func(hangUp context.CancelFunc) func(context.Context) error {
			return func(ctx context.Context) error {
				hangUp()
				return ctx.Err() // the driver stops waiting for the answer
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, hangUp := context.WithCancel(context.Background())
			defer hangUp()
			r := newResetRig(t, true, func(u ports.UserStore) ports.UserStore {
				return faultyUsers{UserStore: u, after: c.after(hangUp)}
			})
			if err := r.resetter.Reset(ctx, r.request(harness.NewPassword)); err != nil {
				t.Errorf("Reset = %v; the password was changed", err)
			}
			if !r.storedVerifies(t, harness.NewPassword) {
				t.Fatal("the change was not made: the fault injection is broken")
			}
			if !strings.Contains(r.logs.String(), `"msg":"password_reset.succeeded"`) {
				t.Errorf("no password_reset.succeeded event:\n%s", r.logs)
			}
			if n := r.notices(t); n != 1 {
				t.Errorf("%d password-changed notices queued, want 1; logs:\n%s", n, r.logs)
			}
		})
	}
}
