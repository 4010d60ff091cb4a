package http

import (
	stdhttp "net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v5"
)

// clientIP tells who the client is: the peer of the connection, or the address a
// trusted proxy put in X-Forwarded-For. Without trusted proxies the header is
// ignored, or anyone could pick an address and escape the limits.
//
// Addresses are compared and returned in one form, so that one client has one rate
// limit key: an IPv4-mapped IPv6 address (::ffff:192.0.2.1, as a dual-stack socket
// reports IPv4 peers) is its IPv4 address, and a port or zone is dropped.
func clientIP(trusted []netip.Prefix) echo.IPExtractor {
	var nets []netip.Prefix
	for _, p := range trusted {
		nets = append(nets, unmapPrefix(p))
	}
	isTrusted := func(a netip.Addr) bool {
		for _, n := range nets {
			if n.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(req *stdhttp.Request) string {
		peer, ok := parseHost(req.RemoteAddr)
		if !ok {
			return req.RemoteAddr // not an IP socket (tests, unix sockets): as is
		}
		if !isTrusted(peer) {
			return peer.String()
		}
		// Read from the right: each trusted proxy vouches for the hop before it.
		hops := strings.Split(strings.Join(req.Header.Values(echo.HeaderXForwardedFor), ","), ",")
		client := peer
		for i := len(hops) - 1; i >= 0; i-- {
			hop, ok := parseHost(hops[i])
			if !ok {
				break // what lies beyond cannot be trusted
			}
			client = hop
			if !isTrusted(hop) {
				break
			}
		}
		return client.String()
	}
}

// parseHost reads an address as peers and proxies write it: 192.0.2.1,
// 192.0.2.1:5678, 2001:db8::1, [2001:db8::1] or [2001:db8::1]:5678, in its one form.
func parseHost(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	// A peer comes with its port: reading it as an address first would fail, and
	// make an error, on every request. An IPv6 address without brackets has more
	// colons, and is read as an address.
	if strings.Count(s, ":") == 1 || strings.HasPrefix(s, "[") && strings.Contains(s, "]:") {
		if ap, err := netip.ParseAddrPort(s); err == nil {
			return ap.Addr().WithZone("").Unmap(), true
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		var ap netip.AddrPort
		if ap, err = netip.ParseAddrPort(s); err == nil {
			a = ap.Addr()
		} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			a, err = netip.ParseAddr(s[1 : len(s)-1])
		}
	}
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// unmapPrefix writes a network of IPv4-mapped addresses (::ffff:10.0.0.0/104) as the
// IPv4 network it is (10.0.0.0/8), so that it contains the unmapped addresses.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked()
	}
	return p.Masked()
}
