package sendgrid_test

import (
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/sendgrid"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
)

// TestKeepsConnectionsAlive (issue 21): five bursts of eight concurrent messages
// open no more connections than one burst needs: every connection is kept for the
// next burst. (On net/http's default transport, which keeps 2 idle connections
// per host, each burst after the first opened 6 new ones.)
func TestKeepsConnectionsAlive(t *testing.T) {
	s := sendgridtest.New(t)
	s.SetDelay(20 * time.Millisecond) // keeps a burst's requests overlapping
	m := sendgrid.NewMailer(sendgrid.Config{APIKey: sendgridtest.APIKey, BaseURL: s.URL(), Timeout: time.Minute})
	const burst, bursts = 8, 5
	for range bursts {
		var wg sync.WaitGroup
		for range burst {
			wg.Go(func() {
				if _, err := m.Send(t.Context(), message); err != nil {
					t.Errorf("Send: %v", err)
				}
			})
		}
		wg.Wait()
	}
	if n := len(s.Messages()); n != burst*bursts {
		t.Fatalf("%d messages arrived, want %d", n, burst*bursts)
	}
	if n := s.Connections(); n > burst {
		t.Errorf("%d bursts of %d messages opened %d connections; want at most %d", bursts, burst, n, burst)
	}
}
