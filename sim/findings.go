package sim

import (
	"testing"
	"time"
)

// Finding is a schedule written by hand that shows one finding of issue 17.
type Finding struct {
	Name    string
	Finding string // the finding it shows ("1", "new")
	Broke   string // the invariant it broke before the redesign, and seeds that showed it too
	S       Schedule
}

// Findings returns one schedule per finding of issue 17 that the simulator shows
// on the ports.
func Findings() []Finding {
	return []Finding{
		{
			Name: "hung-up link requests mail without limit", Finding: "1", Broke: "I2 (seeds 9, 24, 26)",
			S: Schedule{Settings: findingSettings(func(s *Settings) { s.Cooldown, s.DailyCap = time.Hour, 1 }),
				Steps: repeatSteps(2, stepLink(0, 0),
					grantAt("users.FindByLogin", None), grantAt("limiter.AllowAll", None),
					grantAt("outbox.Add", HangUp, true), stepSettle())},
		},
		{
			Name: "failed take-back suppresses the retry", Finding: "2", Broke: "I2 (seeds 5, 15)",
			S: Schedule{Settings: findingSettings(func(s *Settings) { s.Cooldown, s.DailyCap = 10*time.Minute, 3 }),
				Steps: []Step{stepLink(0, 0), grantAt("users.FindByLogin", None), grantAt("limiter.AllowAll", None),
					grantAt("outbox.Add", Fail), grantAt("limiter.Undo", Fail), grantAt("limiter.Undo", Fail),
					stepSettle(), stepLink(1, 0), stepSettle()},
			},
		},
		{
			Name: "crash between count and insert suppresses the retry", Finding: "2", Broke: "I2 (seed 46)",
			S: Schedule{Settings: findingSettings(func(s *Settings) { s.Cooldown = 10 * time.Minute }),
				Steps: []Step{stepLink(0, 0), grantAt("users.FindByLogin", None), grantAt("limiter.AllowAll", None),
					grantAt("outbox.Add", Crash), stepLink(1, 0), stepSettle()},
			},
		},
		{
			Name: "revoked key loses the notice", Finding: "3", Broke: "I1 (seeds 4, 9)",
			S: Schedule{Settings: findingSettings(nil),
				Steps: append(linkGoesOut(), stepReset(0, 0), stepSettle(), stepMail(MailRevoked), stepDispatch(0), stepSettle())},
		},
		{
			Name: "refused write sends a false notice", Finding: "7", Broke: "I1",
			S: Schedule{Settings: findingSettings(nil),
				Steps: append(linkGoesOut(), stepReset(0, 0), grantAt("users.FindByID", None), grantAt("hasher.Hash", None),
					grantAt("outbox.Add", None), grantAt("users.SetPassword", Refuse), stepSettle(), stepDispatch(0), stepSettle())},
		},
		{
			// Passes since port17 (the memory store judges leases by its own clock).
			Name: "a clock ahead claims a message being sent", Finding: "10", Broke: "I6",
			S: Schedule{Settings: findingSettings(func(s *Settings) { s.Skews = []time.Duration{0, 20 * time.Second} }),
				Steps: []Step{stepLink(0, 0), stepSettle(), stepDispatch(0), grantAt("outbox.Claim", None), stepAdvance(41 * time.Second),
					stepDispatch(1), grantAt("outbox.Claim", None), grantAt("provider.Send", None), stepSettle()},
			},
		},
		{
			Name: "lost answer to the notice's hold sends a false notice", Finding: "new", Broke: "I1 (seed 568)",
			S: Schedule{Settings: findingSettings(nil),
				Steps: append(linkGoesOut(), stepReset(0, 0), grantAt("users.FindByID", None), grantAt("hasher.Hash", None),
					grantAt("outbox.Add", Lost), stepSettle(), stepAdvance(time.Minute), stepDispatch(0), stepSettle())},
		},
		{
			Name: "lost compare-and-set with a failed re-read sends a second notice", Finding: "new2", Broke: "I1 (seed 108)",
			S: Schedule{Settings: findingSettings(nil),
				Steps: append(linkGoesOut(), stepReset(0, 0), stepReset(1, 0),
					grantAt("users.FindByID", None), grantAt("users.FindByID", None), grantAt("hasher.Hash", None),
					grantAt("hasher.Hash", None), grantAt("outbox.Add", None), grantAt("outbox.Add", None),
					grantAt("users.SetPassword", None), grantAt("users.SetPassword", None), grantAt("users.FindByID", Fail),
					stepSettle(), stepAdvance(time.Minute), stepDispatch(0), stepSettle())},
		},
		{
			Name: "two outbox retries requeue one failed link twice", Finding: "also", Broke: "I2 (seeds 47, 57)",
			S: Schedule{Settings: findingSettings(nil),
				Steps: []Step{stepLink(0, 0), stepSettle(), stepMail(MailRevoked), stepDispatch(0), stepSettle(), stepMail(MailUp),
					{Op: OpRetry, Inst: 0}, grantAt("outbox.Failed", None), {Op: OpRetry, Inst: 1}, grantAt("outbox.Failed", None),
					stepSettle(), stepDispatch(0), stepSettle()}},
		},
		{
			// Failed on MongoDB only, whose limit events live on the message's
			// document: the retry deleted the failed link with its cooldown event.
			Name: "an operator's retry forgets the cooldown", Finding: "21", Broke: "I3 (TestSimMongo seed 121)",
			S: Schedule{Settings: findingSettings(func(s *Settings) { s.Cooldown, s.DailyCap = 10*time.Minute, 2 }),
				Steps: []Step{stepMail(MailRevoked), stepLink(1, 0), stepSettle(), stepDispatch(1), stepSettle(),
					{Op: OpRetry, Inst: 0}, stepSettle(), stepLink(1, 0), stepSettle()}},
		},
	}
}

// findingSettings are two instances, one user, notices on, no limits but those change sets.
func findingSettings(change func(*Settings)) Settings {
	s := Settings{Instances: 2, Users: 1, Skews: []time.Duration{0, 0}, Notify: true}
	if change != nil {
		change(&s)
	}
	return s
}

func stepLink(inst, user int) Step  { return Step{Op: OpLink, Inst: inst, User: user} }
func stepReset(inst, user int) Step { return Step{Op: OpReset, Inst: inst, User: user} }
func stepDispatch(inst int) Step    { return Step{Op: OpDispatch, Inst: inst, N: 1} }
func stepSettle() Step              { return Step{Op: OpSettle} }
func stepMail(m MailMode) Step      { return Step{Op: OpMail, Mode: m} }
func stepAdvance(d time.Duration) Step {
	return Step{Op: OpAdvance, Wait: d}
}

func grantAt(call string, k FaultKind, applied ...bool) Step {
	return Step{Op: OpGrant, Call: call, Fault: Fault{Kind: k, Apply: len(applied) > 0 && applied[0]}}
}

// linkGoesOut has user 0 ask for a link, which goes out.
func linkGoesOut() []Step {
	return []Step{stepLink(0, 0), stepSettle(), stepDispatch(0), stepSettle()}
}

func repeatSteps(n int, steps ...Step) []Step {
	var out []Step
	for range n {
		out = append(out, steps...)
	}
	return out
}

// CheckFindings runs each finding's schedule on b as a subtest, failing on any
// violation, but skipping (with the branch named) a finding whose fix pending
// says is on its way.
func CheckFindings(t *testing.T, b Backend, pending map[string]string) {
	for _, f := range Findings() {
		t.Run(f.Name, func(t *testing.T) {
			r, err := Run(f.S, b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Failed() && pending[f.Finding] != "" {
				t.Skipf("finding %s still shows (fix: %s): %s", f.Finding, pending[f.Finding], r.Violations[0])
			}
			if r.Failed() {
				t.Errorf("finding %s (broke %s before the redesign) shows again:\n%s%s", f.Finding, f.Broke, f.S, lines(r.Violations))
			}
		})
	}
}
