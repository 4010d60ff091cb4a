package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	stdhttp "net/http"
	"strconv"

	"github.com/labstack/echo/v5"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// Answers to errors, as DRF and DRR word them.
const (
	msgUserNotFound     = "User not found"
	msgInvalidSignature = "Invalid signature"
	msgSignatureExpired = "Signature expired"
	msgMismatch         = "Passwords don't match"
	msgNotFound         = "Not found."
	msgTooLarge         = "Request body is too large."
	msgUnreadable       = "The request body could not be read."
	msgUnavailable      = "Service temporarily unavailable."
	msgServerError      = "A server error occurred."
	msgAmbiguousLength  = "A request may not have both Content-Length and Transfer-Encoding."
	msgFoldedHeader     = "A request may not fold a header over several lines."
)

// StatusClientClosed is the status a request is counted and logged with when its
// client closed the connection before the answer: nginx's 499 "client closed
// request". It is not a failure of the service and must not feed its 5xx rate.
const StatusClientClosed = 499

// retryAfter is how many seconds a client should wait after a 503: long enough for a
// database fail-over, short enough for a user who is still looking at the page.
const retryAfter = "5"

// answer is what an error becomes: a status and a JSON body.
type answer struct {
	status int
	body   any
}

func detail(msg string) map[string]string { return map[string]string{"detail": msg} }

// encodedDetail is detail(msg) as Echo's default JSON serializer writes it.
func encodedDetail(msg string) []byte {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(detail(msg)); err != nil {
		panic(err) // a map of strings always encodes
	}
	return b.Bytes()
}

// errorHandler is Echo's HTTPErrorHandler, the one place where errors become answers.
// A 5xx says nothing of its cause to the client; the cause is logged with the request
// id, and never a body or a query string, which may hold a password or a signature.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(c *echo.Context, err error) {
		// The access log has this handler answer before Echo calls it again.
		if resp, _ := echo.UnwrapResponse(c.Response()); resp != nil && resp.Committed {
			return
		}
		a := answerTo(c, err)
		if abandonedOrNoted(c, log, a, err) {
			return
		}
		if a.status == stdhttp.StatusMethodNotAllowed {
			// RFC 9110 requires Allow on a 405; the router or the endpoint left it here.
			if allow, ok := c.Get(echo.ContextKeyHeaderAllow).(string); ok {
				c.Response().Header().Set(echo.HeaderAllow, allow)
			}
		}
		if err := c.JSON(a.status, a.body); err != nil {
			log.Debug("answer not sent", "request_id", requestIDOf(c), "error", err)
		}
	}
}

// abandonedOrNoted records a request whose client left (true: nothing is left to
// answer); otherwise it logs a 5xx and sets a 503's Retry-After, for an answer as
// JSON or, on the reset page, as the page.
func abandonedOrNoted(c *echo.Context, log *slog.Logger, a answer, err error) bool {
	if a.status >= stdhttp.StatusInternalServerError && clientGone(c) {
		abandoned(c, log, err)
		return true
	}
	if a.status >= stdhttp.StatusInternalServerError {
		logFailure(c, log, a.status, err)
	}
	if a.status == stdhttp.StatusServiceUnavailable {
		c.Response().Header().Set(echo.HeaderRetryAfter, retryAfter)
	}
	return false
}

func answerTo(c *echo.Context, err error) answer {
	var (
		invalid  fieldErrors
		password *reset.PasswordError
		parse    *parseError
		media    *mediaTypeError
		tooLarge *stdhttp.MaxBytesError
		broken   *unreadableError
		throttle *throttledError
	)
	switch {
	case errors.As(err, &invalid):
		return answer{stdhttp.StatusBadRequest, invalid}
	case errors.As(err, &password):
		return answer{stdhttp.StatusBadRequest, passwordErrors(password)}
	case errors.Is(err, reset.ErrUserNotFound):
		return answer{stdhttp.StatusBadRequest, detail(msgUserNotFound)}
	case errors.Is(err, reset.ErrInvalidSignature):
		return answer{stdhttp.StatusBadRequest, detail(msgInvalidSignature)}
	case errors.Is(err, reset.ErrSignatureExpired):
		return answer{stdhttp.StatusBadRequest, detail(msgSignatureExpired)}
	case errors.As(err, &parse):
		return answer{stdhttp.StatusBadRequest, detail(parse.format + " parse error - " + parse.err.Error())}
	case errors.Is(err, errNoContentType):
		return unsupported(`Unsupported media type "" in request; a Content-Type header is required.`)
	case errors.As(err, &media):
		return unsupported(`Unsupported media type "` + media.contentType + `" in request.`)
	case errors.As(err, &tooLarge):
		return answer{stdhttp.StatusRequestEntityTooLarge, detail(msgTooLarge)}
	case errors.As(err, &throttle):
		return throttled(c, throttle.seconds())
	case errors.Is(err, errAmbiguousLength):
		return answer{stdhttp.StatusBadRequest, detail(msgAmbiguousLength)}
	case errors.Is(err, errFoldedHeader):
		return answer{stdhttp.StatusBadRequest, detail(msgFoldedHeader)}
	case errors.As(err, &broken):
		return answer{stdhttp.StatusBadRequest, detail(msgUnreadable)}
	case errors.Is(err, ports.ErrUnavailable), errors.Is(err, ports.ErrHasherBusy):
		return answer{stdhttp.StatusServiceUnavailable, detail(msgUnavailable)}
	}
	return echoAnswer(c, echo.StatusCode(err))
}

// echoAnswer words the errors of Echo itself (router, middleware) as DRF does.
func echoAnswer(c *echo.Context, status int) answer {
	switch {
	case status == stdhttp.StatusNotFound:
		return answer{status, detail(msgNotFound)}
	case status == stdhttp.StatusMethodNotAllowed:
		return answer{status, detail(`Method "` + c.Request().Method + `" not allowed.`)}
	case status == stdhttp.StatusRequestEntityTooLarge:
		return answer{status, detail(msgTooLarge)}
	case status >= 400 && status < 500:
		return answer{status, detail(stdhttp.StatusText(status))}
	}
	return answer{stdhttp.StatusInternalServerError, detail(msgServerError)}
}

// throttled is DRF's answer to a client over its rate, with Retry-After.
func throttled(c *echo.Context, seconds int) answer {
	c.Response().Header().Set(echo.HeaderRetryAfter, strconv.Itoa(seconds))
	unit := "seconds"
	if seconds == 1 {
		unit = "second"
	}
	return answer{stdhttp.StatusTooManyRequests, detail(fmt.Sprintf("Request was throttled. Expected available in %d %s.", seconds, unit))}
}

func unsupported(msg string) answer {
	return answer{stdhttp.StatusUnsupportedMediaType, detail(msg)}
}

// passwordErrors words a refused password as DRR does: Django's policy messages under
// password, the mismatch under password_confirm, in one answer, with the empty
// non_field_errors that DRR's run_validators adds to every answer of its own checks
// (not to the serializer fields' errors, which DRF answers before them).
func passwordErrors(e *reset.PasswordError) fieldErrors {
	errs := fieldErrors{nonFieldErrors: {}}
	if len(e.Policy) > 0 {
		errs["password"] = e.Policy
	}
	if e.Mismatch {
		errs["password_confirm"] = []string{msgMismatch}
	}
	return errs
}

// logFailure records why a request failed on our side. A store that is down is
// expected now and then (a warning); anything else is a bug or an outage (an error).
func logFailure(c *echo.Context, log *slog.Logger, status int, err error) {
	level := slog.LevelError
	if status == stdhttp.StatusServiceUnavailable {
		level = slog.LevelWarn
	}
	log.LogAttrs(c.Request().Context(), level, "request failed", append(requestIDAttrs(c),
		slog.String("method", c.Request().Method),
		slog.String("path", c.Request().URL.Path),
		slog.Int("status", status),
		slog.String("error", err.Error()),
	)...)
}

// clientGone reports whether the client closed the connection: Go's server then
// cancels the request's context, and whatever failed for lack of it is no fault here.
func clientGone(c *echo.Context) bool {
	return errors.Is(c.Request().Context().Err(), context.Canceled)
}

// abandoned records a request its client left: at INFO, as StatusClientClosed. The
// status is written so that the access log and the metrics see it; nobody reads it.
func abandoned(c *echo.Context, log *slog.Logger, err error) {
	log.LogAttrs(c.Request().Context(), slog.LevelInfo, "client closed the request", append(requestIDAttrs(c),
		slog.String("method", c.Request().Method),
		slog.String("path", c.Request().URL.Path),
		slog.Int("status", StatusClientClosed),
		slog.String("error", err.Error()),
	)...)
	if err := c.NoContent(StatusClientClosed); err != nil {
		log.Debug("answer not sent", "request_id", requestIDOf(c), "error", err)
	}
}
