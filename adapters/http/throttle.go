package http

import (
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/labstack/echo/v5"
)

// throttledError is a client over its rate, told how long to wait.
type throttledError struct{ wait time.Duration }

func (e *throttledError) Error() string { return fmt.Sprintf("throttled for %s", e.wait) }

// seconds is the wait in whole seconds, rounded up, as DRF words it.
func (e *throttledError) seconds() int {
	return max(1, int(math.Ceil(e.wait.Seconds())))
}

// throttle counts the request against its client IP's rate on this endpoint. The
// counts live in the shared limiter, so they hold across every instance.
func (h *handlers) throttle(c *echo.Context, endpoint string, rate Rate) error {
	if rate.Count <= 0 {
		return nil
	}
	key := "ip:" + endpoint + ":" + clientKey(clientIPOf(c), h.cfg.ClientIPv6Prefix)
	ok, wait, err := h.limiter.Allow(c.Request().Context(), key, rate.Count, rate.Window, h.clock.Now())
	if err != nil {
		return fmt.Errorf("check the client's rate: %w", err)
	}
	if !ok {
		return &throttledError{wait: wait}
	}
	return nil
}

// DefaultClientIPv6Prefix is the IPv6 prefix that names one client: providers hand a
// subscriber at least a /64 (RFC 6177), and a host picks addresses in it at will.
const DefaultClientIPv6Prefix = 64

// clientKey is the client a per-IP limit counts: an IPv4 address as it is (clientIP
// has written IPv4-mapped addresses as IPv4), an IPv6 address by its first bits
// bits, or DefaultClientIPv6Prefix's if bits is 0. What is not an address (a unix
// socket's peer) is its own key.
func clientKey(ip string, bits int) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() {
		return ip
	}
	if bits <= 0 || bits > 128 {
		bits = DefaultClientIPv6Prefix
	}
	p, err := a.WithZone("").Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}
