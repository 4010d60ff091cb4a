package http

import (
	stdhttp "net/http"

	"github.com/labstack/echo/v5"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// allowedMethods is the Allow header of a DRF view that accepts POST.
const allowedMethods = "POST, OPTIONS"

// handlers serve the endpoints with the use cases.
type handlers struct {
	cfg      Config
	sender   *reset.LinkSender
	resetter *reset.Resetter
	limiter  ports.RateLimiter
	clock    ports.Clock
}

// endpoint checks what DRF checks before a view reads its body, in DRF's order: the
// method (405), the client's rate (429), then whether the workflow is on (404).
// OPTIONS answers DRF's metadata.
func (h *handlers) endpoint(name string, rate Rate, serve echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		switch c.Request().Method {
		case stdhttp.MethodPost:
			if err := h.allow(c, name, rate); err != nil {
				return err
			}
			return serve(c)
		case stdhttp.MethodOptions:
			c.Response().Header().Set(echo.HeaderAllow, allowedMethods)
			return c.JSON(stdhttp.StatusOK, metadata{Name: name, Renders: []string{echo.MIMEApplicationJSON}, Parses: parsedTypes})
		}
		// The router keeps the allowed methods under this key; the error handler reads it.
		c.Set(echo.ContextKeyHeaderAllow, allowedMethods)
		return echo.ErrMethodNotAllowed
	}
}

// allow checks the client's rate (429), then whether the workflow is on (404); the
// endpoints and the reset page's forms share it.
func (h *handlers) allow(c *echo.Context, name string, rate Rate) error {
	if err := h.throttle(c, name, rate); err != nil {
		return err
	}
	if !h.sender.Enabled() {
		return echo.ErrNotFound
	}
	return nil
}

// metadata is DRF's answer to OPTIONS (SimpleMetadata, without the description).
type metadata struct {
	Name    string   `json:"name"`
	Renders []string `json:"renders"`
	Parses  []string `json:"parses"`
}
