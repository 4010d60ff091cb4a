package app

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	apihttp "github.com/pwreset/pwreset/adapters/http"
)

// HTTPSettings say where and how the API listens, whom it trusts to name clients,
// and how often a client may call it.
type HTTPSettings struct {
	Addr               string   `env:"HTTP_ADDR" envDefault:":8080"`
	APIPrefix          string   `env:"API_PREFIX" envDefault:"/api/v1/accounts/"`
	CORSAllowedOrigins []string `env:"CORS_ALLOWED_ORIGINS"`
	TrustedProxies     Proxies  `env:"TRUSTED_PROXIES"`
	ClientIPv6Prefix   int      `env:"CLIENT_IPV6_PREFIX" envDefault:"64"`
	SendLinkRate       Rate     `env:"RATE_LIMIT_SEND_LINK" envDefault:"10/10m"`
	ResetRate          Rate     `env:"RATE_LIMIT_RESET_PASSWORD" envDefault:"20/10m"`
	// ShutdownGrace is how long requests and sends in flight may take to finish.
	ShutdownGrace time.Duration `env:"SHUTDOWN_GRACE" envDefault:"15s"`
}

// Rate is a rate limit read from a variable such as RATE_LIMIT_SEND_LINK: "10/10m"
// is 10 requests in any 10 minutes; "0" or "off", the zero Rate, is no limit.
type Rate apihttp.Rate

// UnmarshalText parses a rate, once, as the configuration is read.
func (r *Rate) UnmarshalText(text []byte) error {
	v := string(text)
	if v == "0" || v == "off" {
		*r = Rate{}
		return nil
	}
	count, window, ok := strings.Cut(v, "/")
	n, err := strconv.Atoi(count)
	d, derr := time.ParseDuration(window)
	if !ok || err != nil || derr != nil || n < 1 || d <= 0 {
		return fmt.Errorf("%q is not a rate such as 10/10m (requests/window) or off", v)
	}
	*r = Rate{Count: n, Window: d}
	return nil
}

// Proxies are the networks of TRUSTED_PROXIES (10.0.0.0/8) or single addresses,
// each a network of one. An IPv4-mapped form (::ffff:10.0.0.5) is the IPv4
// address; the HTTP adapter compares clients in that form.
type Proxies []netip.Prefix

// UnmarshalText parses the comma-separated entries, once, as the configuration is
// read; the error names each bad entry on a line of its own.
func (p *Proxies) UnmarshalText(text []byte) error {
	var nets Proxies
	var errs []error
	for entry := range strings.SplitSeq(string(text), ",") {
		n, err := netip.ParsePrefix(entry)
		if a, aerr := netip.ParseAddr(entry); aerr == nil && a.Zone() == "" {
			n, err = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("TRUSTED_PROXIES entry %q is neither an address nor a network such as 10.0.0.0/8", entry))
			continue
		}
		nets = append(nets, n.Masked())
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	*p = nets
	return nil
}

// minClientIPv6Prefix is the shortest CLIENT_IPV6_PREFIX: a shorter one would count
// whole providers, not subscribers, as one client.
const minClientIPv6Prefix = 32

func (h HTTPSettings) problems() []error {
	var p []error
	if h.ClientIPv6Prefix < minClientIPv6Prefix || h.ClientIPv6Prefix > 128 {
		p = append(p, fmt.Errorf("CLIENT_IPV6_PREFIX is %d; it must be from %d to 128 (64: one subscriber's network)",
			h.ClientIPv6Prefix, minClientIPv6Prefix))
	}
	if h.ShutdownGrace <= 0 {
		p = append(p, errors.New("SHUTDOWN_GRACE must be a positive duration, such as 5s"))
	}
	return append(p, originProblems(h.CORSAllowedOrigins)...)
}

func originProblems(origins []string) []error {
	var p []error
	for _, o := range origins {
		u, err := url.Parse(o)
		if o == "*" {
			continue
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			p = append(p, fmt.Errorf("CORS_ALLOWED_ORIGINS entry %q is not an origin such as https://frontend-host", o))
		}
	}
	return p
}

// apiPrefix is API_PREFIX with one slash at each end: "auth" serves /auth/.
func apiPrefix(prefix string) string {
	if prefix = "/" + strings.Trim(prefix, "/") + "/"; prefix == "//" {
		return "/"
	}
	return prefix
}

// longestWindow is how far back the rate-limit events must reach: the daily cap, a
// link's life (newer links invalidate older ones), and every configured window.
func (c Config) longestWindow() time.Duration {
	return max(24*time.Hour, c.Reset.Period, c.Reset.LinkCooldown, c.HTTP.SendLinkRate.Window, c.HTTP.ResetRate.Window)
}

// ProvideListener opens the API socket.
func ProvideListener(cfg Config) (Listener, func(), error) {
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return Listener{}, nil, fmt.Errorf("listen on HTTP_ADDR %q: %w", cfg.HTTP.Addr, err)
	}
	return Listener{ln}, func() { ln.Close() }, nil
}

// ProvideHTTPConfig maps the configuration to the HTTP adapter settings; resets
// wait for hashing in queue.
func ProvideHTTPConfig(cfg Config, ops apihttp.Operations, queue apihttp.HashQueue) apihttp.Config {
	h := cfg.HTTP
	return apihttp.Config{
		Prefix:             h.APIPrefix,
		CORSAllowedOrigins: h.CORSAllowedOrigins,
		UseEmail:           cfg.Reset.UseEmail,
		PasswordConfirm:    cfg.Reset.PasswordConfirm,
		Page:               cfg.pageConfig(),
		TrustedProxies:     h.TrustedProxies,
		ClientIPv6Prefix:   h.ClientIPv6Prefix,
		HashQueue:          queue,
		SendLinkRate:       apihttp.Rate(h.SendLinkRate),
		ResetRate:          apihttp.Rate(h.ResetRate),
		Operations:         ops,
	}
}
