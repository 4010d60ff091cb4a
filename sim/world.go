package sim

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// Stores are the stores every instance shares.
type Stores struct {
	Users   ports.UserStore
	Outbox  ports.Outbox
	Limiter ports.RateLimiter
	// TrueTime has the simulator pass true time, rather than the calling
	// instance's clock, as the now of the outbox calls a store judges by its own
	// clock (Claim, Release): for a store built to take its callers' time for its
	// server's, standing in for a server clock that the simulator cannot move.
	TrueTime bool
}

// Backend makes fresh stores holding exactly users, for one run, and returns
// the users as stored (their IDs are the store's); cleanup, if not nil, is
// called when the run is over.
// clock is true time, which a store that judges time by its own clock (leases,
// due times) is to use.
type Backend func(clock ports.Clock, users []ports.User) (s Stores, stored []ports.User, cleanup func(), err error)

// Times of the simulated service.
const (
	lease        = time.Minute
	maxAge       = time.Hour
	storeTimeout = 20 * time.Second
	// noticeHold is how long after it is held a notice falls due on its own:
	// the store timeout and the Resetter's margin.
	noticeHold = storeTimeout + 10*time.Second
	ipWindow   = time.Minute
	retryAfter = 30 * time.Second // what the provider asks for with a 429
	retryMax   = 30 * time.Second
	baseURL    = "https://sim.example/reset"
)

// world is one run: the shared stores, the instances' clocks, the scheduler, the
// mail provider's state and the history.
type world struct {
	set     Settings
	sched   *sched
	hist    *history
	clock   *vclock
	stores  Stores
	users   []ports.User
	mail    MailMode
	cfg     reset.Config
	signer  link.Scheme
	emails  reset.Emails
	policy  *policy.Policy
	audit   *audit.Log
	log     *slog.Logger
	linkOf  map[int]*linkReq
	resetOf map[int]*resetReq
	claims  map[int]time.Time // true time of each dispatch task's latest claim
	links   map[string][]string
	rng     *rand.Rand // the dispatchers' jitter

	trace      func(format string, args ...any) // nil: no trace
	spawnLater []func()                         // late writes, started once the running task parks
	crashes    []int                            // instances to crash once the running task parks
}

func newWorld(seed uint64, set Settings, clock *vclock, stores Stores, users []ports.User) *world {
	log := slog.New(slog.DiscardHandler)
	var idSeed [32]byte // the held messages' ids, replayable
	binary.LittleEndian.PutUint64(idSeed[:], seed)
	cfg := reset.Config{
		Enabled: true, Period: 2 * time.Hour, URL: baseURL, OneTimeUse: set.OneTime, From: "sim@pwreset.test",
		LinkCooldown: set.Cooldown, LinkDailyCap: set.DailyCap, LinksPerHour: set.PerHour,
		InvalidateOlderLinks: set.Invalidate, ChangedNotification: set.Notify, StoreTimeout: storeTimeout,
		Rand: rand.NewChaCha8(idSeed),
	}
	return &world{
		set: set, sched: newSched(), hist: newHistory(), clock: clock, stores: stores, users: users,
		cfg: cfg, signer: link.NewSigner([]byte("sim-secret-0123456789abcdef"), set.OneTime),
		emails: defaultEmails(), policy: policy.New(policy.DefaultMinLength), audit: audit.New(log), log: log,
		linkOf: map[int]*linkReq{}, resetOf: map[int]*resetReq{}, claims: map[int]time.Time{},
		links: map[string][]string{}, rng: rand.New(rand.NewPCG(seed, 1)),
	}
}

// defaultEmails are the embedded templates, parsed once for every run: parsing
// them per run took a fifth of the simulator's time, and executing them is safe
// for concurrent runs.
var defaultEmails = sync.OnceValue(reset.DefaultEmails)

// clockOf returns instance i's clock.
func (w *world) clockOf(i int) ports.Clock {
	if i < 0 || i >= len(w.set.Skews) {
		return skewed{v: w.clock}
	}
	return skewed{v: w.clock, skew: w.set.Skews[i]}
}

// ports returns the wrapped ports of task t.
func (w *world) ports(t *task) (*users, *box, *limiter) {
	p := port{t: t, w: w}
	return &users{p, w.stores.Users}, &box{p, w.stores.Outbox}, &limiter{p, w.stores.Limiter}
}

// sender returns the link use case as instance t.inst runs it, for task t.
func (w *world) sender(t *task) *reset.LinkSender {
	u, b, _ := w.ports(t)
	clk := w.clockOf(t.inst)
	return reset.NewLinkSender(reset.LinkSenderDeps{Config: w.cfg, Users: u, Outbox: outbox.NewQueue(b, nil),
		Signer: w.signer, Clock: clk, Emails: w.emails, Audit: w.audit})
}

// resetter returns the reset use case as instance t.inst runs it, for task t.
func (w *world) resetter(t *task) *reset.Resetter {
	u, b, _ := w.ports(t)
	clk := w.clockOf(t.inst)
	return reset.NewResetter(reset.ResetterDeps{Config: w.cfg, Users: u, Hasher: &hasher{port{t: t, w: w}},
		Signer: w.signer, Clock: clk, Policy: w.policy, Outbox: outbox.NewQueue(b, nil), Emails: w.emails,
		Audit: w.audit, Log: w.log})
}

// dispatcher returns a dispatcher of instance t.inst for one pass, task t.
func (w *world) dispatcher(t *task) *outbox.Dispatcher {
	_, b, _ := w.ports(t)
	cfg := outbox.Config{
		Workers: 1, PollInterval: time.Hour, Lease: lease, MaxAge: maxAge,
		KeepTrying: []string{reset.KindPasswordChanged}, // as the service sets it
		// Backoff below the lease, so that a lease after the provider is back
		// every message is due again (I6); jitter from the schedule's seed.
		RetryMin: time.Second, RetryMax: retryMax, Grace: time.Hour, Retention: outbox.DefaultConfig().Retention,
		Owner:  fmt.Sprintf("i%d/pass%d", t.inst, t.id),
		Jitter: func(n time.Duration) time.Duration { return time.Duration(w.rng.Int64N(int64(n) + 1)) },
	}
	return outbox.NewDispatcher(cfg, b, &provider{port{t: t, w: w}}, w.clockOf(t.inst), w.log, w.audit)
}

// crashed notes that task t's instance crashed at t's current call: the rest of
// the instance stops once t has.
func (w *world) crashed(t *task) {
	if r := w.resetOf[t.id]; r != nil {
		r.crashed = true
	}
	for _, s := range w.hist.sends {
		if s.task == t.id && !s.settled && s.window == "" {
			s.window = "crash after the provider took it"
		}
	}
	if t.inst >= 0 {
		w.crashes = append(w.crashes, t.inst)
	}
}

// afterStep starts the late writes and crashes the instances that the step
// left for the scheduler.
func (w *world) afterStep() {
	for len(w.spawnLater) > 0 || len(w.crashes) > 0 {
		if len(w.crashes) > 0 {
			inst := w.crashes[0]
			w.crashes = w.crashes[1:]
			w.sched.crash(inst)
			continue
		}
		f := w.spawnLater[0]
		w.spawnLater = w.spawnLater[1:]
		f()
	}
}

// tracef writes a line of the run's trace, if it is traced.
func (w *world) tracef(format string, args ...any) {
	if w.trace != nil {
		w.trace("%s "+format, append([]any{w.clock.Now().Sub(epoch)}, args...)...)
	}
}

func userKeyOf(id string) string     { return "reset_link:user:" + id }
func cooldownKeyOf(id string) string { return "reset_link:cooldown:" + id }

const globalKey = "reset_link:global"

func ipKey(ip string) string { return fmt.Sprintf("ip:send-reset-password-link:%s", ip) }
