package harness

import (
	"errors"
	"net/url"
	"sync"
	"testing"
)

// RaceResets posts n resets with one link to api at once, racer i with
// password(i), and returns their answers in the racers' order.
func RaceResets(t *testing.T, api string, link url.Values, n int, password func(int) string) []Reply {
	t.Helper()
	replies, errs := make([]Reply, n), make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			replies[i], errs[i] = TryCall(api+"reset-password/", ResetBody(link, password(i)))
		})
	}
	close(gate)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return replies
}

// OneWinner checks the answers to racing resets with one one-time link: one 200,
// every other 400 Invalid signature. It returns the winner.
func OneWinner(t *testing.T, replies []Reply) int {
	t.Helper()
	winner := -1
	for i, r := range replies {
		switch {
		case r.Status == 200 && r.Body["detail"] == "Reset password successful" && len(r.Body) == 1:
			if winner >= 0 {
				t.Fatalf("racers %d and %d both reset the password with one one-time link", winner, i)
			}
			winner = i
		case r.Status == 400 && r.Body["detail"] == "Invalid signature" && len(r.Body) == 1:
		default:
			t.Fatalf("racer %d: %d %s, want 200 for one and 400 Invalid signature for the others", i, r.Status, r.Raw)
		}
	}
	if winner < 0 {
		t.Fatal("no racer reset the password")
	}
	return winner
}
