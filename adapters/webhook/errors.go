package webhook

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// maxRetryAfter caps the wait an endpoint can ask for, so that a broken header
// cannot park an event for years.
const maxRetryAfter = 24 * time.Hour

// refused is the error of a non-2xx answer. Only the status is kept: the body
// could be anything, down to an echo of the event.
func refused(resp *http.Response, now time.Time) *ports.SendError {
	text := http.StatusText(resp.StatusCode)
	if text == "" {
		text = "status " + strconv.Itoa(resp.StatusCode)
	}
	e := &ports.SendError{Status: resp.StatusCode, Permanent: !temporary(resp.StatusCode),
		Reason: "events endpoint: " + text}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Reason += "; redirects are not followed: set EVENTS_URL to the address it redirects to"
	}
	if !e.Permanent {
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	}
	return e
}

// temporary reports whether the same event may be taken later: a timeout, a rate
// limit, the endpoint's own outages. Any other refusal repeats itself until
// someone changes the endpoint or its configuration.
func temporary(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// retryAfter reads a Retry-After value, in seconds or as an HTTP date; zero when
// it says nothing usable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(min(max(secs, 0), int64(maxRetryAfter/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), maxRetryAfter)
	}
	return 0
}
