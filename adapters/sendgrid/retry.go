package sendgrid

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps the wait a provider can ask for, so that a broken header
// cannot park a message for years (or overflow time.Duration).
const maxRetryAfter = 24 * time.Hour

// retryAfter reads how long SendGrid asked us to wait: Retry-After, in seconds or as
// an HTTP date, or else X-RateLimit-Reset, the Unix time at which the rate-limit
// window reopens. It is zero when neither header says anything usable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
			return seconds(secs)
		}
		if at, err := http.ParseTime(v); err == nil {
			return bounded(at.Sub(now))
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if unix, err := strconv.ParseInt(v, 10, 64); err == nil {
			// Sub saturates rather than overflows on absurd times.
			return bounded(time.Unix(unix, 0).Sub(now))
		}
	}
	return 0
}

// seconds converts a count of seconds, checking the bounds before multiplying
// because a large count would overflow.
func seconds(n int64) time.Duration {
	if n > int64(maxRetryAfter/time.Second) {
		return maxRetryAfter
	}
	return bounded(time.Duration(n) * time.Second)
}

// bounded keeps d within [0, maxRetryAfter]: a time already past means "now".
func bounded(d time.Duration) time.Duration {
	return min(max(d, 0), maxRetryAfter)
}
