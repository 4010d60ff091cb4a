package http

import (
	"strconv"
	"strings"
	"testing"
)

// TestHeadsAcrossReads: the ambiguous head is found, and only it, however the
// stream is cut into reads, and a body that looks like a head is skipped.
func TestHeadsAcrossReads(t *testing.T) {
	head := "POST /x HTTP/1.1\r\nHost: x\r\n"
	decoy := "a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
	withDecoy := head + "Content-Length: " + strconv.Itoa(len(decoy)) + "\r\n\r\n" + decoy
	plain := head + "content-length: 2\r\n\r\nab"
	both := head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
	tests := []struct {
		name, stream string
		want         int64
	}{
		{"none", withDecoy + plain + "\r\n" + plain, 0},
		{"third", withDecoy + plain + both, 3},
		{"first", both + plain, 1},
		{"bare line feeds", strings.ReplaceAll(plain+both, "\r\n", "\n"), 2},
		{"after a chunked body, no longer followed", head + "Transfer-Encoding: chunked\r\n\r\n" + both, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for size := 1; size <= len(tt.stream); size++ {
				var h heads
				var found []int64
				for rest := tt.stream; rest != ""; {
					n := min(size, len(rest))
					if at := h.scan([]byte(rest[:n])); at != 0 {
						found = append(found, at)
					}
					rest = rest[n:]
				}
				if tt.want == 0 && len(found) != 0 || tt.want != 0 && (len(found) != 1 || found[0] != tt.want) {
					t.Fatalf("reads of %d bytes: ambiguous heads %v, want %d", size, found, tt.want)
				}
			}
		})
	}
}

// FuzzHeads checks that how a stream is cut into reads never changes what is found.
func FuzzHeads(f *testing.F) {
	f.Add("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 7)
	f.Add("GET / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab\r\nPOST / HTTP/1.1\r\ncontent-length:1\r\ntransfer-encoding:x\n\n", 30)
	f.Fuzz(func(t *testing.T, stream string, cut int) {
		var whole, parts heads
		want := whole.scan([]byte(stream))
		cut = max(0, min(len(stream), cut))
		got := parts.scan([]byte(stream[:cut]))
		if later := parts.scan([]byte(stream[cut:])); later != 0 {
			got = later
		}
		if got != want {
			t.Fatalf("cut at %d: head %d, in one read %d", cut, got, want)
		}
	})
}
