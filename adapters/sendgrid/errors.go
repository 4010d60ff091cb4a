package sendgrid

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sendgrid/rest"

	"github.com/pwreset/pwreset/ports"
)

// unreachable is the error for a call that got no answer: refused, reset, timed out.
// Such a failure may pass, so it is temporary.
func unreachable(err error) *ports.SendError {
	return &ports.SendError{Reason: ports.ScrubReason(err.Error())}
}

// refused is the error for a non-2xx answer.
func refused(resp *rest.Response, apiKey string, now time.Time) *ports.SendError {
	e := &ports.SendError{
		Status:    resp.StatusCode,
		Reason:    reason(resp, apiKey),
		Permanent: !temporary(resp.StatusCode),
	}
	if !e.Permanent {
		e.RetryAfter = retryAfter(http.Header(resp.Headers), now)
	}
	return e
}

// temporary reports whether the same request may succeed later: SendGrid's rate
// limit, a request timeout and its own outages. Every other refusal (bad request, bad key, no
// permission, too large) repeats itself until someone changes the message or the
// configuration.
func temporary(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout ||
		status >= 500
}

// apiErrors is SendGrid's error body.
type apiErrors struct {
	Errors []struct {
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"errors"`
}

// reason is the status text followed by SendGrid's own messages. A body that is not
// SendGrid's JSON is left out: it could be anything, down to an echo of the request.
func reason(resp *rest.Response, apiKey string) string {
	var parts []string
	var body apiErrors
	if json.Unmarshal([]byte(resp.Body), &body) == nil {
		for _, e := range body.Errors {
			if e.Message == "" {
				continue
			}
			if e.Field != "" {
				parts = append(parts, fmt.Sprintf("%s (field %s)", e.Message, e.Field))
			} else {
				parts = append(parts, e.Message)
			}
		}
	}
	text := http.StatusText(resp.StatusCode)
	if text == "" {
		text = "status " + fmt.Sprint(resp.StatusCode)
	}
	if len(parts) > 0 {
		text += ": " + strings.Join(parts, "; ")
	}
	if apiKey != "" {
		text = strings.ReplaceAll(text, apiKey, "[api key]")
	}
	// A reset link is a credential and an address personal data; were SendGrid to
	// quote either back, it must not reach the logs or the outbox.
	return ports.ScrubReason(text)
}
