package reset

import (
	"fmt"
	"math"
	"testing"
)

// TestStrangerIDAsFmt checks that a stand-in's id is what fmt wrote before: the ids
// are stored in the outbox and the limits, and must not change across an upgrade.
func TestStrangerIDAsFmt(t *testing.T) {
	for _, slot := range []uint64{0, 1, 15, 16, DefaultStrangerSlots - 1, 1 << 40, math.MaxUint64} {
		if got, want := strangerID(slot), fmt.Sprintf("unknown-%032x", slot); got != want {
			t.Errorf("strangerID(%d) = %q, want %q", slot, got, want)
		}
	}
}
