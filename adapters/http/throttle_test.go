package http_test

import (
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
