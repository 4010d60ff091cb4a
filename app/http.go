package app

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/bcrypt"
	apihttp "github.com/pwreset/pwreset/adapters/http"
)

// parseRate reads a rate such as "10/10m" (10 requests in any 10 minutes); "0" or
// "off" is no limit.
func parseRate(name, v string) (apihttp.Rate, error) {
	if v == "0" || v == "off" {
		return apihttp.Rate{}, nil
	}
	count, window, ok := strings.Cut(v, "/")
	n, err := strconv.Atoi(count)
	d, derr := time.ParseDuration(window)
	if !ok || err != nil || derr != nil || n < 1 || d <= 0 {
		return apihttp.Rate{}, fmt.Errorf("%s %q is not a rate such as 10/10m (requests/window) or off", name, v)
	}
	return apihttp.Rate{Count: n, Window: d}, nil
}

// parseProxies reads TRUSTED_PROXIES: networks (10.0.0.0/8) or single addresses.
// An IPv4-mapped form (::ffff:10.0.0.5) is the IPv4 address; the HTTP adapter
// compares clients in that form.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var nets []netip.Prefix
	var errs []error
	for _, entry := range list {
		p, err := netip.ParsePrefix(entry)
		if a, aerr := netip.ParseAddr(entry); aerr == nil && a.Zone() == "" {
			p, err = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("TRUSTED_PROXIES entry %q is neither an address nor a network such as 10.0.0.0/8", entry))
			continue
		}
		nets = append(nets, p.Masked())
	}
	return nets, errors.Join(errs...)
}

// minClientIPv6Prefix is the shortest CLIENT_IPV6_PREFIX: a shorter one would count
// whole providers, not subscribers, as one client.
const minClientIPv6Prefix = 32

func (c Config) limitProblems() []error {
	var p []error
	for _, r := range [][2]string{{"RATE_LIMIT_SEND_LINK", c.SendLinkRate}, {"RATE_LIMIT_RESET_PASSWORD", c.ResetRate}} {
		if _, err := parseRate(r[0], r[1]); err != nil {
			p = append(p, err)
		}
	}
	if _, err := parseProxies(c.TrustedProxies); err != nil {
		p = append(p, Problems(err)...)
	}
	if c.ClientIPv6Prefix < minClientIPv6Prefix || c.ClientIPv6Prefix > 128 {
		p = append(p, fmt.Errorf("CLIENT_IPV6_PREFIX is %d; it must be from %d to 128 (64: one subscriber's network)",
			c.ClientIPv6Prefix, minClientIPv6Prefix))
	}
	if c.LinkCooldown < 0 || c.LinkDailyCap < 0 || c.LinksPerHour < 0 {
		p = append(p, errors.New("RESET_PASSWORD_LINK_COOLDOWN, RESET_PASSWORD_LINK_DAILY_CAP and RESET_PASSWORD_LINKS_PER_HOUR must not be negative (0 turns each off)"))
	}
	if c.LinksClientShare < 0 || c.LinksClientShare > 100 {
		p = append(p, fmt.Errorf("RESET_PASSWORD_LINKS_CLIENT_SHARE is %d; it must be a percentage from 0 (off) to 100", c.LinksClientShare))
	}
	if c.HashConcurrency < 0 {
		p = append(p, errors.New("HASH_CONCURRENCY must not be negative (0: the number of CPUs)"))
	}
	if c.HashQueueTimeout <= 0 || c.HashQueueTimeout >= apihttp.WriteTimeout {
		p = append(p, fmt.Errorf("HASH_QUEUE_TIMEOUT must be a positive duration under %s (the HTTP write timeout), such as 5s: "+
			"the longest a reset waits for a hashing slot", apihttp.WriteTimeout))
	}
	switch c.PasswordHasher {
	case "argon2id":
		if err := c.argon2Params().Validate(); err != nil {
			p = append(p, Problems(err)...)
		}
	case "bcrypt":
		if err := bcrypt.ValidateCost(c.BcryptCost); err != nil {
			p = append(p, err)
		}
	}
	if c.BreachCheck && c.HIBPTimeout <= 0 {
		p = append(p, errors.New("HIBP_TIMEOUT must be a positive duration, such as 2s"))
	}
	if u, err := url.Parse(c.HIBPAPIURL); c.BreachCheck && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		p = append(p, fmt.Errorf("HIBP_API_URL %q must be an absolute URL such as https://api.pwnedpasswords.com", c.HIBPAPIURL))
	}
	return p
}

func (c Config) argon2Params() argon2.Params {
	return argon2.Params{Memory: c.Argon2Memory, Iterations: c.Argon2Iterations, Parallelism: c.Argon2Parallelism}
}

// longestWindow is how far back the rate-limit events must reach: the daily cap, a
// link's life (newer links invalidate older ones), and every configured window.
func (c Config) longestWindow() time.Duration {
	keep := max(24*time.Hour, c.Period, c.LinkCooldown)
	for _, r := range [][2]string{{"RATE_LIMIT_SEND_LINK", c.SendLinkRate}, {"RATE_LIMIT_RESET_PASSWORD", c.ResetRate}} {
		if rate, err := parseRate(r[0], r[1]); err == nil {
			keep = max(keep, rate.Window)
		}
	}
	return keep
}

// linksPerClient is one client's share of the hourly link cap: at least one link
// while both are on, none (off) when either is off.
func (c Config) linksPerClient() int {
	if c.LinksPerHour <= 0 || c.LinksClientShare <= 0 {
		return 0
	}
	return max(1, c.LinksPerHour*c.LinksClientShare/100)
}
