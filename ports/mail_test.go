package ports_test

import (
	"strings"
	"testing"

	"github.com/pwreset/pwreset/ports"
)

// TestScrubReason: what relays and providers were seen to quote (the recipient,
// the link with its user_id, timestamp and signature, with or without a scheme)
// goes; the rest of the explanation stays, on one line and bounded.
func TestScrubReason(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"550 5.1.1 <ann@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
			"550 5.1.1 <[address]>: Recipient address rejected: User unknown in virtual mailbox table"},
		{"554 5.7.1 message refused: URL https://reset.example.com/reset/?user_id=42&timestamp=1700000000&signature=a1b2:c3 is listed",
			"554 5.7.1 message refused: URL [url] is listed"},
		{"554 blocked link reset.example.com/reset/42/1700000000/a1b2c3 (policy)", "554 blocked link [url] (policy)"},
		{"blocked /reset/?user_id=42&timestamp=1700000000&signature=a1b2 here", "blocked /reset/?[query] here"},
		{"bad user_id=42 timestamp=1700000000 signature=a1b2:c3", "bad user_id=[removed] timestamp=[removed] signature=[removed]"},
		{"mailto:ann@example.org and smtp://user:pass@relay:587 refused", "mailto:[address] and [url] refused"},
		{"line one\r\n  line\ttwo", "line one line two"},
		{"451 4.7.1 greylisted, try again in 300 seconds", "451 4.7.1 greylisted, try again in 300 seconds"},
	}
	for _, c := range cases {
		if got := ports.ScrubReason(c.in); got != c.want {
			t.Errorf("ScrubReason(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
	long := ports.ScrubReason(strings.Repeat("é", 1000))
	if len(long) > ports.MaxReason+len("…") || !strings.HasSuffix(long, "é…") {
		t.Errorf("a long reason is %d bytes, ending %q", len(long), long[len(long)-8:])
	}
}
