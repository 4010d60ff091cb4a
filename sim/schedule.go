package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Settings are what a run's service is configured with.
type Settings struct {
	Instances  int
	Users      int
	Skews      []time.Duration // each instance's clock, off true time
	Cooldown   time.Duration
	DailyCap   int
	PerHour    int
	PerIP      int // link requests per client address per minute
	OneTime    bool
	Invalidate bool
	Notify     bool
}

// Op is what a step does.
type Op int

// The steps of a schedule.
const (
	OpGrant     Op = iota // let parked call number N go on, suffering Fault
	OpLink                // instance Inst asks for a link for user User from address N
	OpReset               // instance Inst resets User's password with their link N
	OpDispatch            // instance Inst delivers up to N messages
	OpRetry               // the operator runs `pwreset outbox retry` on instance Inst
	OpSendLink            // the operator sends User a link (`pwreset send-link`)
	OpIssueLink           // the operator prints a link for User (`pwreset link`)
	OpPurge               // instance Inst purges old rate-limit events and messages
	OpAdvance             // time moves on by Wait
	OpCrash               // instance Inst crashes
	OpMail                // the mail provider goes into Mode
	OpSettle              // every parked call goes on, without faults, until all tasks end
)

// Step is one step of a schedule.
type Step struct {
	Op    Op
	Inst  int
	User  int
	N     int
	Fault Fault
	Wait  time.Duration
	Mode  MailMode
	// Call, for OpGrant, picks the first task parked at this call rather than
	// number N (nothing happens if none is): for schedules written by hand.
	Call string
}

// String is the step as a shrunk schedule prints it.
func (s Step) String() string {
	switch s.Op {
	case OpGrant:
		if s.Call != "" {
			return fmt.Sprintf("grant %s %s", s.Call, s.Fault)
		}
		return fmt.Sprintf("grant %d %s", s.N, s.Fault)
	case OpSettle:
		return "settle"
	case OpLink:
		return fmt.Sprintf("link i%d u%d ip%d", s.Inst, s.User, s.N)
	case OpReset:
		return fmt.Sprintf("reset i%d u%d link%d", s.Inst, s.User, s.N)
	case OpDispatch:
		return fmt.Sprintf("dispatch i%d x%d", s.Inst, s.N)
	case OpRetry:
		return fmt.Sprintf("outbox-retry i%d", s.Inst)
	case OpSendLink:
		return fmt.Sprintf("send-link i%d u%d", s.Inst, s.User)
	case OpIssueLink:
		return fmt.Sprintf("issue-link i%d u%d", s.Inst, s.User)
	case OpPurge:
		return fmt.Sprintf("purge i%d", s.Inst)
	case OpAdvance:
		return fmt.Sprintf("advance %s", s.Wait)
	case OpCrash:
		return fmt.Sprintf("crash i%d", s.Inst)
	case OpMail:
		return fmt.Sprintf("mail %s", s.Mode)
	}
	return "?"
}

// Schedule is a run: the service's settings and the steps, then the end (faults
// stop, time moves on, the outbox drains, the invariants are checked).
type Schedule struct {
	Seed     uint64
	Settings Settings
	Steps    []Step
}

// String prints the settings and the numbered steps.
func (s Schedule) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %+v\n", s.Seed, s.Settings)
	for i, st := range s.Steps {
		fmt.Fprintf(&b, "  %3d %s\n", i, st)
	}
	return b.String()
}

// Generate draws the schedule of seed.
func Generate(seed uint64) Schedule {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	set := Settings{
		Instances:  2 + rng.IntN(2),
		Users:      1 + rng.IntN(3),
		Cooldown:   pick(rng, 0, time.Minute, 10*time.Minute),
		DailyCap:   pick(rng, 0, 2, 3),
		PerHour:    pick(rng, 0, 3, 6),
		PerIP:      pick(rng, 0, 3),
		OneTime:    rng.IntN(2) == 0,
		Invalidate: rng.IntN(2) == 0,
		Notify:     rng.IntN(5) > 0,
	}
	for range set.Instances {
		skew := time.Duration(0)
		if rng.IntN(3) == 0 {
			skew = time.Duration(rng.IntN(41)-20) * time.Second
		}
		set.Skews = append(set.Skews, skew)
	}
	steps := make([]Step, 60+rng.IntN(140))
	for i := range steps {
		steps[i] = drawStep(rng, set)
	}
	return Schedule{Seed: seed, Settings: set, Steps: steps}
}

func pick[T any](rng *rand.Rand, choices ...T) T { return choices[rng.IntN(len(choices))] }

// drawStep draws one step: mostly parked calls going on, one in eight with a fault.
func drawStep(rng *rand.Rand, set Settings) Step {
	s := Step{Inst: rng.IntN(set.Instances), User: rng.IntN(set.Users + 1), N: rng.IntN(8)}
	switch r := rng.IntN(1000); {
	case r < 640:
		s.Op = OpGrant
		if rng.IntN(8) == 0 {
			s.Fault = Fault{Kind: pick(rng, Fail, Fail, Fail, Lost, Lost, Lost, Late, Late, HangUp, HangUp, Crash, Refuse),
				Apply: rng.IntN(2) == 0}
		}
	case r < 730:
		s.Op = OpLink
	case r < 810:
		s.Op = OpReset
	case r < 890:
		s.Op, s.N = OpDispatch, 1+rng.IntN(3)
	case r < 945:
		s.Op, s.Wait = OpAdvance, pick(rng, time.Second, time.Duration(1+rng.IntN(59))*time.Second,
			2*time.Minute, 20*time.Minute, 70*time.Minute)
	case r < 950:
		s.Op = OpCrash
	case r < 970:
		s.Op, s.Mode = OpMail, MailMode(rng.IntN(int(numMailModes)))
	case r < 980:
		s.Op = OpRetry
	case r < 990:
		s.Op = pick(rng, OpSendLink, OpIssueLink)
	default:
		s.Op = OpPurge
	}
	return s
}
