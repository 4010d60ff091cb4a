package http

import (
	"fmt"
	"math"
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
	key := "ip:" + endpoint + ":" + c.RealIP()
	ok, wait, err := h.limiter.Allow(c.Request().Context(), key, rate.Count, rate.Window, h.clock.Now())
	if err != nil {
		return fmt.Errorf("check the client's rate: %w", err)
	}
	if !ok {
		return &throttledError{wait: wait}
	}
	return nil
}
