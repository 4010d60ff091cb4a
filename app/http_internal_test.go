package app

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// parseProxies parses the entries of TRUSTED_PROXIES as Load does.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var p Proxies
	err := p.UnmarshalText([]byte(strings.Join(list, ",")))
	return p, err
}

// TestParseProxies: an address is a network of one, in its IPv4 form when it is an
// IPv4-mapped one. Before, ::ffff:127.0.0.1 became the network ::/32, which trusted
// not 127.0.0.1 but a quarter of a billion IPv6 addresses.
func TestParseProxies(t *testing.T) {
	tests := []struct {
		entry   string
		want    string
		trusts  []string
		refuses []string
	}{
		{"10.0.0.5", "10.0.0.5/32", []string{"10.0.0.5"}, []string{"10.0.0.6"}},
		{"::ffff:127.0.0.1", "127.0.0.1/32", []string{"127.0.0.1"}, []string{"203.0.113.1", "10.0.0.1"}},
		{"2001:db8::1", "2001:db8::1/128", []string{"2001:db8::1"}, []string{"2001:db8::2"}},
		{"10.1.2.3/8", "10.0.0.0/8", []string{"10.200.0.1"}, []string{"11.0.0.1"}},
		{"fd00::/8", "fd00::/8", []string{"fd12::1"}, []string{"fe80::1"}},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			nets, err := parseProxies([]string{tt.entry})
			if err != nil || len(nets) != 1 || nets[0].String() != tt.want {
				t.Fatalf("parseProxies(%q) = %v, %v; want %s", tt.entry, nets, err, tt.want)
			}
			for _, a := range tt.trusts {
				if !nets[0].Contains(netip.MustParseAddr(a)) {
					t.Errorf("%s does not contain %s", nets[0], a)
				}
			}
			for _, a := range tt.refuses {
				if nets[0].Contains(netip.MustParseAddr(a)) {
					t.Errorf("%s contains %s", nets[0], a)
				}
			}
		})
	}
	for _, bad := range []string{"", "10.0.0", "fe80::1%eth0", "10.0.0.0/33", "proxy.example"} {
		if nets, err := parseProxies([]string{bad}); err == nil || !slices.Equal(nets, nil) {
			t.Errorf("parseProxies(%q) = %v, %v; want an error", bad, nets, err)
		}
	}
}
