package main

import (
	"errors"
	"net/url"
	"sync"
	"testing"
)

// raceResets posts n resets with one link to api at once, racer i with
// password(i), and returns their answers in the racers' order.
func raceResets(t *testing.T, api string, link url.Values, n int, password func(int) string) []reply {
	t.Helper()
	replies, errs := make([]reply, n), make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			replies[i], errs[i] = tryCall(api+"reset-password/", resetBody(link, password(i)))
		})
	}
	close(gate)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return replies
}

// oneWinner checks the answers to racing resets with one one-time link: one 200,
// every other 400 Invalid signature. It returns the winner.
func oneWinner(t *testing.T, replies []reply) int {
	t.Helper()
	winner := -1
	for i, r := range replies {
		switch {
		case r.status == 200 && r.body["detail"] == "Reset password successful" && len(r.body) == 1:
			if winner >= 0 {
				t.Fatalf("racers %d and %d both reset the password with one one-time link", winner, i)
			}
			winner = i
		case r.status == 400 && r.body["detail"] == "Invalid signature" && len(r.body) == 1:
		default:
			t.Fatalf("racer %d: %d %s, want 200 for one and 400 Invalid signature for the others", i, r.status, r.raw)
		}
	}
	if winner < 0 {
		t.Fatal("no racer reset the password")
	}
	return winner
}
