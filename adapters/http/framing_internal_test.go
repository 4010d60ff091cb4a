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
		{"folded header", plain + head + "X-A: 1\r\n\t2\r\n\r\n" + both, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for size := 1; size <= len(tt.stream); size++ {
				var h heads
				var found []int64
				for rest := tt.stream; rest != ""; {
					n := min(size, len(rest))
					if at, _ := h.scan([]byte(rest[:n])); at != 0 {
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
	f.Add("GET / HTTP/1.1\r\nX-A: 1\r\n 2\r\n\r\nGET / HTTP/1.1\r\n\r\n", 12)
	f.Add("GET / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab\r\nPOST / HTTP/1.1\r\ncontent-length:1\r\ntransfer-encoding:x\n\n", 30)
	f.Fuzz(func(t *testing.T, stream string, cut int) {
		var whole, parts heads
		want, wantWhy := whole.scan([]byte(stream))
		cut = max(0, min(len(stream), cut))
		got, why := parts.scan([]byte(stream[:cut]))
		if later, laterWhy := parts.scan([]byte(stream[cut:])); later != 0 && why == nil {
			got, why = later, laterWhy
		}
		if got != want || why != wantWhy {
			t.Fatalf("cut at %d: head %d (%v), in one read %d (%v)", cut, got, why, want, wantWhy)
		}
	})
}

// BenchmarkConnOverhead measures what conn adds to one typical request: following
// its head and body, and looking at the first write of its answer.
func BenchmarkConnOverhead(b *testing.B) {
	body := `{"user_id":"65a1b2c3d4e5f60718293a4b","timestamp":1764100000,"signature":"spflxhefd3XsTm5iQv3bPLGG_uv-wlCpOtRf4NaQ1NM","password":"a long new passphrase"}`
	req := []byte("POST /api/v1/accounts/reset-password/ HTTP/1.1\r\nHost: api.example\r\nUser-Agent: Mozilla/5.0\r\n" +
		"Accept: application/json\r\nContent-Type: application/json\r\nX-Forwarded-For: 203.0.113.7\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	answer := []byte("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Type: application/json\r\n\r\n{\"detail\":\"Reset password successful\"}\n")
	var h heads
	b.SetBytes(int64(len(req)))
	for b.Loop() {
		if at, _ := h.scan(req); at != 0 {
			b.Fatal("ambiguous")
		}
		if _, _, ok := goAnswer(answer); ok {
			b.Fatal("taken for Go's own answer")
		}
	}
}
