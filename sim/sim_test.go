package sim_test

import (
	"flag"
	"fmt"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pwreset/pwreset/sim"
)

var (
	seedFlag   = flag.Uint64("sim.seed", 0, "replay this one seed (0: run -sim.seeds seeds)")
	shrinkFlag = flag.Bool("sim.shrink", false, "TestSimTrace: trace the shrunk schedule")
	seedsFlag  = flag.Int("sim.seeds", 2000, "how many seeds TestSimMemory runs")
)

// TestSimMemory runs the simulator on the in-memory stores for -sim.seeds seeds
// (or the one -sim.seed), and fails with each failing seed and its shrunk schedule.
func TestSimMemory(t *testing.T) {
	seeds := make([]uint64, 0, *seedsFlag)
	if *seedFlag != 0 {
		seeds = append(seeds, *seedFlag)
	} else {
		for i := range *seedsFlag {
			seeds = append(seeds, uint64(i+1))
		}
	}
	runSeeds(t, seeds, sim.Memory)
}

// runSeeds runs the seeds on GOMAXPROCS workers, reports each failure with its
// shrunk schedule, and logs the named windows the runs went through.
func runSeeds(t *testing.T, seeds []uint64, b sim.Backend) {
	var mu sync.Mutex
	windows := map[string]int{}
	crashes, failed := 0, 0
	kinds := map[string][]uint64{} // each kind of violation, with the seeds that showed it
	work := make(chan uint64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for seed := range work {
				s := sim.Generate(seed)
				r, err := sim.Run(s, b)
				if err != nil {
					t.Errorf("seed %d: %v", seed, err)
					continue
				}
				mu.Lock()
				for k, n := range r.Windows {
					windows[k] += n
				}
				crashes += r.Crashes
				if r.Failed() {
					failed++
					for _, v := range r.Violations {
						k := kindOf(v)
						kinds[k] = append(kinds[k], seed)
					}
				}
				mu.Unlock()
				if r.Failed() && failed <= 5 {
					small := sim.Shrink(s, b, 400)
					rs, _ := sim.Run(small, b)
					t.Errorf("seed %d fails (replay: go test ./sim -run %s -sim.seed=%d):\n%s\nshrunk to %d steps:\n%s%s",
						seed, t.Name(), seed, join(r.Violations), len(small.Steps), small, join(rs.Violations))
				}
			}
		})
	}
	for _, s := range seeds {
		work <- s
	}
	close(work)
	wg.Wait()
	t.Logf("%d seeds, %d failed, %d crashes", len(seeds), failed, crashes)
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		ss := kinds[k]
		slices.Sort(ss)
		t.Logf("violation %q: %d runs, first seeds %v", k, len(ss), ss[:min(len(ss), 5)])
	}
	for _, k := range slices.Sorted(maps.Keys(windows)) {
		t.Logf("window %q: %d", k, windows[k])
	}
}

func join(v []string) string {
	s := ""
	for _, x := range v {
		s += fmt.Sprintf("    %s\n", x)
	}
	return s
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

var digits = regexp.MustCompile(`[0-9]+`)

// kindOf is a violation without its numbers: what kind of violation it is.
func kindOf(v string) string {
	v, _, _ = strings.Cut(v, " (")
	v, _, _ = strings.Cut(v, ": 2")
	name, rest, _ := strings.Cut(v, ":")
	return name + ":" + digits.ReplaceAllString(rest, "N")
}
