package sim_test

import (
	"flag"
	"runtime"
	"testing"

	"github.com/pwreset/pwreset/sim"
)

var (
	seedFlag   = flag.Uint64("sim.seed", 0, "replay this one seed (0: run -sim.seeds seeds)")
	seedsFlag  = flag.Int("sim.seeds", 2000, "how many seeds TestSimMemory runs")
	shrinkFlag = flag.Bool("sim.shrink", false, "TestSimTrace: trace the shrunk schedule")
)

// TestSimMemory runs the simulator on the in-memory stores for -sim.seeds seeds
// (or the one -sim.seed): each failing seed is shown with its shrunk schedule.
func TestSimMemory(t *testing.T) {
	sim.RunSeeds(t, sim.Seeds(*seedFlag, *seedsFlag), sim.Memory, runtime.GOMAXPROCS(0), sim.Pending)
}

// TestSimDeterministic runs seeds twice: the same schedule makes the same history.
func TestSimDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		s := sim.Generate(seed)
		a, errA := sim.Run(s, sim.Memory)
		b, errB := sim.Run(s, sim.Memory)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if a.Digest != b.Digest || a.Calls != b.Calls {
			t.Errorf("seed %d ran two ways: %s (%d calls) and %s (%d calls)", seed, a.Digest, a.Calls, b.Digest, b.Calls)
		}
		if a.Calls == 0 {
			t.Errorf("seed %d let no call through", seed)
		}
	}
}

// TestSimTrace replays -sim.seed with a trace of every step and call.
func TestSimTrace(t *testing.T) {
	if *seedFlag == 0 {
		t.Skip("replays one seed: give -sim.seed")
	}
	s := sim.Generate(*seedFlag)
	if *shrinkFlag {
		s = sim.Shrink(s, sim.Memory, 400)
		t.Logf("shrunk:\n%s", s)
	}
	r, err := sim.RunTraced(s, sim.Memory, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("violations:\n%s", join(r.Violations))
}

func join(v []string) string {
	s := ""
	for _, x := range v {
		s += "    " + x + "\n"
	}
	return s
}
