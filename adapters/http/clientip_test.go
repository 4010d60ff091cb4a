package http_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
)

// from sends a link request from the peer addr, with X-Forwarded-For xff if not empty.
func (f *fixture) from(addr, xff string) int {
	req := httptest.NewRequest(http.MethodPost, sendPath, strings.NewReader(`{"login":"alice"}`))
	req.Header.Set("Content-Type", jsonType)
	req.RemoteAddr = addr
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, req)
	return rec.Code
}

// TestClientIPForms: one client has one address, whatever form the peer or a proxy
// writes it in, so it has one rate limit. Two requests at one a minute: the second is
// refused when both name the same client, and served when they name two.
func TestClientIPForms(t *testing.T) {
	proxy := netip.MustParsePrefix("192.0.2.0/24")
	mappedProxy := netip.MustParsePrefix("::ffff:192.0.2.0/120")
	tests := []struct {
		name          string
		trusted       []netip.Prefix
		first, second [2]string // peer, X-Forwarded-For
		same          bool
		logged        string // the client_ip logged for the first request
	}{
		{"IPv4-mapped peer is the IPv4 peer", nil,
			[2]string{"[::ffff:203.0.113.7]:1111", ""}, [2]string{"203.0.113.7:2222", ""}, true, "203.0.113.7"},
		{"peer with a zone", nil,
			[2]string{"[fe80::1%eth0]:1111", ""}, [2]string{"[fe80::1]:2222", ""}, true, "fe80::1"},
		{"IPv4-mapped peer of a trusted proxy", []netip.Prefix{proxy},
			[2]string{"[::ffff:192.0.2.1]:1", "203.0.113.1"}, [2]string{"[::ffff:192.0.2.1]:1", "203.0.113.2"}, false, "203.0.113.1"},
		{"proxy listed in IPv4-mapped form", []netip.Prefix{mappedProxy},
			[2]string{"192.0.2.1:1", "203.0.113.1"}, [2]string{"192.0.2.1:1", "203.0.113.2"}, false, "203.0.113.1"},
		{"forwarded IPv4-mapped client", []netip.Prefix{proxy},
			[2]string{"192.0.2.1:1", "::ffff:203.0.113.9"}, [2]string{"192.0.2.1:1", "203.0.113.9"}, true, "203.0.113.9"},
		{"forwarded IPv4 with a port", []netip.Prefix{proxy},
			[2]string{"192.0.2.1:1", "203.0.113.1:5678"}, [2]string{"192.0.2.1:1", "203.0.113.1:9999"}, true, "203.0.113.1"},
		{"forwarded IPv4 clients with ports are two", []netip.Prefix{proxy},
			[2]string{"192.0.2.1:1", "203.0.113.1:5678"}, [2]string{"192.0.2.1:1", "203.0.113.2:5678"}, false, "203.0.113.1"},
		{"forwarded IPv6 with a port", []netip.Prefix{proxy},
			[2]string{"192.0.2.1:1", "[2001:db8::1]:5678"}, [2]string{"192.0.2.1:1", "2001:db8::1"}, true, "2001:db8::1"},
		{"forwarded IPv6 in brackets", []netip.Prefix{proxy},
			[2]string{"192.0.2.1:1", "[2001:db8::1]"}, [2]string{"192.0.2.1:1", "2001:db8:0:1::1"}, false, "2001:db8::1"}, // another /64
		{"a chain through a second trusted proxy with a port", []netip.Prefix{proxy},
			[2]string{"192.0.2.1:1", "203.0.113.1, 192.0.2.9:443"}, [2]string{"192.0.2.1:1", "203.0.113.1"}, true, "203.0.113.1"},
		{"header from an untrusted peer ignored", []netip.Prefix{proxy},
			[2]string{"[::ffff:198.51.100.1]:1", "203.0.113.1"}, [2]string{"198.51.100.1:2", "203.0.113.2"}, true, "198.51.100.1"},
	}
	rate := pwhttp.Rate{Count: 1, Window: time.Minute}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, withRates(rate, rate), trusting(tt.trusted...))
			if code := f.from(tt.first[0], tt.first[1]); code != 200 {
				t.Fatalf("first request: %d", code)
			}
			want := 200
			if tt.same {
				want = 429
			}
			if code := f.from(tt.second[0], tt.second[1]); code != want {
				t.Errorf("second request: %d, want %d (same client: %v)", code, want, tt.same)
			}
			if got := f.logs.lines(t)[0]; !containsLine(f.logs.lines(t), "client_ip", tt.logged) {
				t.Errorf("client_ip %q not logged; first line %v", tt.logged, got)
			}
		})
	}
}
