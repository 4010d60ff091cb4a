package harness

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// burstSeed replays the hang-up moments of a burst: go test ./e2e/... -burst.seed=N.
var burstSeed = flag.Uint64("burst.seed", 0, "seed of the hang-up moments in burst tests (0: a new one)")

// Burst sends n link requests for login to api at once, all released together,
// and returns how many were answered with each status.
func Burst(t *testing.T, api, login string, n int) map[int]int {
	t.Helper()
	replies := make([]Reply, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			replies[i], errs[i] = TryCall(api+"send-reset-password-link/", fmt.Sprintf(`{"login":%q}`, login))
		})
	}
	close(start)
	wg.Wait()
	statuses := map[int]int{}
	for i, r := range replies {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		statuses[r.Status]++
	}
	return statuses
}

// HangUps sends n link requests for login to api at once, each from a client that
// hangs up at a seeded random moment within the first most of the request (some
// before it reaches the service, some while it writes, some after), and returns
// once every client has gone. The seed is logged; -burst.seed replays it.
func HangUps(t *testing.T, api, login string, n int, most time.Duration) {
	t.Helper()
	seed := *burstSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("hang-up moments: seed %d (replay with -burst.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	delays := make([]time.Duration, n)
	for i := range delays {
		delays[i] = time.Duration(rng.Int64N(int64(most)))
	}
	body := fmt.Sprintf(`{"login":%q}`, login)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, d := range delays {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"send-reset-password-link/", strings.NewReader(body))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/json")
			// A client that hangs up never closes the connection politely.
			req.Close = true
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	close(start)
	wg.Wait()
}

// AwaitSettled polls settled until it reports true, for at most 30 s: the outbox
// has delivered or given up on every message, so counting mails is final.
func AwaitSettled(t *testing.T, what string, settled func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := settled()
		if ok && err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s %s has not settled: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
