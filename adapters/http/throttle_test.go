package http_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
)

// TestThrottle: over its rate a client gets DRF's 429 with Retry-After, and nothing
// is done; other clients and the other endpoint are not affected; it clears in time.
func TestThrottle(t *testing.T) {
	f := newFixture(t, withRates(pwhttp.Rate{Count: 2, Window: time.Minute}, pwhttp.Rate{Count: 1, Window: time.Hour}))
	for range 2 {
		expect(t, f.post(sendPath, `{"login":"alice"}`), 200, `{"detail":"Reset link sent"}`)
	}
	f.clock.Add(20 * time.Second)
	rec := f.post(sendPath, `{"login":"alice"}`)
	expect(t, rec, 429, `{"detail":"Request was throttled. Expected available in 40 seconds."}`)
	if got := rec.Header().Get("Retry-After"); got != "40" {
		t.Errorf("Retry-After %q, want 40", got)
	}
	if n := len(f.mailer.Sent()); n != 2 {
		t.Errorf("%d mails sent, want 2", n)
	}
	expect(t, f.post(resetPath, `{}`), 400, `{"password":["This field is required."],"signature":["This field is required."],"timestamp":["This field is required."],"user_id":["This field is required."]}`)
	expect(t, f.post(resetPath, `{}`), 429, `{"detail":"Request was throttled. Expected available in 3600 seconds."}`)
	f.clock.Add(41 * time.Second)
	expect(t, f.post(sendPath, `{"login":"alice"}`), 200, `{"detail":"Reset link sent"}`)
}

func TestThrottleSingularSecond(t *testing.T) {
	f := newFixture(t, withRates(pwhttp.Rate{Count: 1, Window: time.Second}, pwhttp.Rate{}))
	f.post(sendPath, `{"login":"alice"}`)
	expect(t, f.post(sendPath, `{"login":"alice"}`), 429, `{"detail":"Request was throttled. Expected available in 1 second."}`)
}

// TestClientIP: X-Forwarded-For names the client only when the peer is a trusted
// proxy; otherwise anyone could dodge the limits by writing the header.
func TestClientIP(t *testing.T) {
	proxies := netip.MustParsePrefix("192.0.2.0/24") // httptest's peer is 192.0.2.1
	rate := pwhttp.Rate{Count: 1, Window: time.Minute}
	t.Run("untrusted header ignored", func(t *testing.T) {
		f := newFixture(t, withRates(rate, rate))
		f.do("POST", sendPath, jsonType, `{"login":"alice"}`, "X-Forwarded-For", "203.0.113.1")
		rec := f.do("POST", sendPath, jsonType, `{"login":"alice"}`, "X-Forwarded-For", "203.0.113.2")
		if rec.Code != 429 {
			t.Fatalf("a forged X-Forwarded-For escaped the limit: %d", rec.Code)
		}
	})
	t.Run("trusted proxy", func(t *testing.T) {
		f := newFixture(t, withRates(rate, rate), trusting(proxies))
		f.do("POST", sendPath, jsonType, `{"login":"alice"}`, "X-Forwarded-For", "203.0.113.1")
		if rec := f.do("POST", sendPath, jsonType, `{"login":"alice"}`, "X-Forwarded-For", "203.0.113.2"); rec.Code != 200 {
			t.Fatalf("second client behind the proxy: %d", rec.Code)
		}
		if rec := f.do("POST", sendPath, jsonType, `{"login":"alice"}`, "X-Forwarded-For", "203.0.113.1"); rec.Code != 429 {
			t.Fatalf("first client again: %d", rec.Code)
		}
		if !containsLine(f.logs.lines(t), "client_ip", "203.0.113.2") {
			t.Fatalf("the client IP from the proxy is not logged:\n%s", f.logs)
		}
	})
}

func containsLine(lines []map[string]any, key, value string) bool {
	for _, l := range lines {
		if l[key] == value {
			return true
		}
	}
	return false
}

// TestIPv6ClientsShareTheirPrefix: an IPv6 client usually holds a whole /64, so the
// per-IP limits count its prefix, not each address (issue 18: 60 addresses of one
// /64 all got 200). IPv4 clients, IPv4-mapped ones included, count by address.
func TestIPv6ClientsShareTheirPrefix(t *testing.T) {
	proxies := netip.MustParsePrefix("192.0.2.0/24") // httptest's peer is 192.0.2.1
	rate := pwhttp.Rate{Count: 10, Window: 10 * time.Minute}
	from := func(f *fixture, addr string) int {
		return f.do("POST", sendPath, jsonType, `{"login":"nobody"}`, "X-Forwarded-For", addr).Code
	}
	t.Run("60 addresses of one /64", func(t *testing.T) {
		f := newFixture(t, withRates(rate, rate), trusting(proxies), hidingUnknown)
		for i := range 60 {
			want := 200
			if i >= rate.Count {
				want = 429
			}
			if got := from(f, fmt.Sprintf("2001:db8:1:2:%x::%x", i, i+1)); got != want {
				t.Fatalf("request %d from the /64: %d, want %d", i+1, got, want)
			}
		}
		if got := from(f, "2001:db8:1:3::1"); got != 200 {
			t.Errorf("the next /64: %d, want 200", got)
		}
	})
	t.Run("IPv4 by address, mapped or not", func(t *testing.T) {
		f := newFixture(t, withRates(pwhttp.Rate{Count: 1, Window: time.Minute}, rate), trusting(proxies), hidingUnknown)
		if from(f, "203.0.113.1") != 200 || from(f, "203.0.113.2") != 200 {
			t.Fatal("two IPv4 clients share a limit")
		}
		if got := from(f, "::ffff:203.0.113.1"); got != 429 {
			t.Errorf("the IPv4-mapped form of a throttled client: %d, want 429", got)
		}
	})
	for _, tt := range []struct {
		bits       int
		a, b       string
		sameClient bool
	}{
		{56, "2001:db8:1:200::1", "2001:db8:1:2ff::1", true},
		{56, "2001:db8:1:200::1", "2001:db8:1:300::1", false},
		{128, "2001:db8::1", "2001:db8::2", false},
	} {
		t.Run(fmt.Sprintf("/%d %s %s", tt.bits, tt.a, tt.b), func(t *testing.T) {
			f := newFixture(t, withRates(pwhttp.Rate{Count: 1, Window: time.Minute}, rate), trusting(proxies), hidingUnknown,
				func(s *setup) { s.http.ClientIPv6Prefix = tt.bits })
			from(f, tt.a)
			if got := from(f, tt.b) == 429; got != tt.sameClient {
				t.Errorf("second address throttled: %v, want %v", got, tt.sameClient)
			}
		})
	}
}

// TestClientShareOfTheHourlyCap (issue 18 item 4): the link sender counts each
// request against the share of the hourly cap of its client, named as the per-IP
// limits name it (an IPv6 client by its /64): a second address of the same /64 is
// over a share of one link, another /64 is not.
func TestClientShareOfTheHourlyCap(t *testing.T) {
	shared := func(s *setup) { s.reset.LinksPerHour, s.reset.LinksPerClient = 100, 1 }
	f := newFixture(t, trusting(netip.MustParsePrefix("192.0.2.0/24")), shared)
	for i, c := range []struct {
		addr, login string
		sent        int
	}{{"2001:db8:1:2::1", "alice", 1}, {"2001:db8:1:2::2", "123", 1}, {"2001:db8:1:3::1", "123", 2}} {
		rec := f.do("POST", sendPath, jsonType, jsonOf(map[string]any{"login": c.login}), "X-Forwarded-For", c.addr)
		if rec.Code != 200 || len(f.mailer.Sent()) != c.sent {
			t.Fatalf("request %d from %s: %d, %d e-mails in all; want 200 and %d", i+1, c.addr, rec.Code, len(f.mailer.Sent()), c.sent)
		}
	}
}
