package reset

import (
	"fmt"
	"math"
	"strings"
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

// TestOneLineAsFields checks that a subject is put on one line as
// strings.Join(strings.Fields(s), " ") does, Unicode spaces and invalid UTF-8 included.
func TestOneLineAsFields(t *testing.T) {
	for _, s := range []string{"", " ", "a", "Reset", "Reset your password\n", "  two  words ",
		"tab\tand\nline", "nbsp\u00a0here", "ls\u2028ps\u2029", "bad \xff\xfe utf8", "\xc3", "é è\r\n",
		"ideographic\u3000space", strings.Repeat("long subject ", 40)} {
		if got, want := oneLine([]byte(s)), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
		}
	}
}

// FuzzOneLine compares oneLine with strings.Fields on arbitrary bytes.
func FuzzOneLine(f *testing.F) {
	f.Add([]byte("Reset your password\n"))
	f.Add([]byte("a\u00a0\xffb"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := oneLine(b), strings.Join(strings.Fields(string(b)), " "); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", b, got, want)
		}
	})
}

// TestDecoySignatureIsZeros: a decoy's signature is zeros of the length asked,
// beyond the shared ones too.
func TestDecoySignatureIsZeros(t *testing.T) {
	for _, n := range []int{0, 1, 43, 64, len(decoyZeros), len(decoyZeros) + 1, 300} {
		if got := decoySignature(n); got != strings.Repeat("0", n) {
			t.Errorf("decoySignature(%d) = %q", n, got)
		}
	}
}
