package sim

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Known are violations a test expects while a fix is pending: a part of their
// text to why (the finding and what fixes it). They are counted and logged, and
// the test is skipped with the reason, not failed; any other violation fails it.
type Known map[string]string

// why returns why v is expected, or "" if it is not.
func (k Known) why(v string) string {
	for part, why := range k {
		if strings.Contains(v, part) {
			return why
		}
	}
	return ""
}

// RunSeeds runs the schedules of seeds on b with workers at a time, fails t with
// each failing seed (the first few shrunk, with the flag that replays them), and
// logs the named windows the runs went through and how often.
func RunSeeds(t *testing.T, seeds []uint64, b Backend, workers int, known Known) {
	t.Helper()
	var (
		mu      sync.Mutex
		windows = map[string]int{}
		kinds   = map[string][]uint64{}
		crashes int
		totals  Result
		failed  int
		skipped = map[string]bool{}
	)
	work := make(chan uint64)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for seed := range work {
				s := Generate(seed)
				r, err := Run(s, b)
				if err != nil {
					t.Errorf("seed %d: %v", seed, err)
					continue
				}
				mu.Lock()
				for k, n := range r.Windows {
					windows[k] += n
				}
				crashes += r.Crashes
				totals.Calls += r.Calls
				totals.Changes += r.Changes
				totals.Sends += r.Sends
				unknown := false
				for _, v := range r.Violations {
					kinds[kindOf(v)] = append(kinds[kindOf(v)], seed)
					if why := known.why(v); why != "" {
						skipped[why] = true
					} else {
						unknown = true
					}
				}
				report := unknown && failed < 3
				if unknown {
					failed++
				}
				mu.Unlock()
				if report {
					small := Shrink(s, b, 300)
					rs, _ := Run(small, b)
					t.Errorf("seed %d fails (replay it: go test <this package> -run %s -sim.seed=%d):\n%s\nshrunk to %d steps:\n%s%s",
						seed, t.Name(), seed, lines(r.Violations), len(small.Steps), small, lines(rs.Violations))
				}
			}
		})
	}
	for _, s := range seeds {
		work <- s
	}
	close(work)
	wg.Wait()
	t.Logf("%d seeds, %d with unexpected violations; during the schedules: %d calls, %d crashes, %d passwords changed, %d messages sent",
		len(seeds), failed, totals.Calls, crashes, totals.Changes, totals.Sends)
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		ss := kinds[k]
		slices.Sort(ss)
		t.Logf("violation %q: %d, first seeds %v", k, len(ss), ss[:min(len(ss), 5)])
	}
	for _, k := range slices.Sorted(maps.Keys(windows)) {
		t.Logf("window %q: %d", k, windows[k])
	}
	if len(skipped) > 0 && !t.Failed() {
		t.Skipf("only expected violations: %s", strings.Join(slices.Sorted(maps.Keys(skipped)), "; "))
	}
}

// Seeds returns the seeds a test runs: one if seed is set, else 1..count.
func Seeds(seed uint64, count int) []uint64 {
	if seed != 0 {
		return []uint64{seed}
	}
	seeds := make([]uint64, count)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

func lines(v []string) string {
	var b strings.Builder
	for _, x := range v {
		fmt.Fprintf(&b, "    %s\n", x)
	}
	return b.String()
}

func invariantOf(v string) string {
	name, _, _ := strings.Cut(v, ":")
	return name
}

var digits = regexp.MustCompile(`[0-9]+`)

// kindOf is a violation without its numbers and details: what kind it is.
func kindOf(v string) string {
	v, _, _ = strings.Cut(v, " (")
	v, _, _ = strings.Cut(v, ": 2")
	name, rest, _ := strings.Cut(v, ":")
	return name + ":" + digits.ReplaceAllString(rest, "N")
}
