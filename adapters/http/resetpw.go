package http

import (
	stdhttp "net/http"

	"github.com/labstack/echo/v5"

	"github.com/pwreset/pwreset/domain/reset"
)

// msgResetDone is DRR's answer to a successful reset.
const msgResetDone = "Reset password successful"

// resetRequest is the body of reset-password: the link's values and the new password.
type resetRequest struct {
	UserID    string
	Timestamp int64
	Signature string
	Password  string
	Confirm   *string // set only when Config.PasswordConfirm
}

// resetPassword sets the new password if the link is good.
func (h *handlers) resetPassword(c *echo.Context) error {
	b, err := readBody(c, maxResetBody)
	if err != nil {
		return err
	}
	if err := h.reset(c, b); err != nil {
		return err
	}
	return c.JSON(stdhttp.StatusOK, detail(msgResetDone))
}

// reset sets the new password b holds if its link is good; the reset page's form
// without script shares it.
func (h *handlers) reset(c *echo.Context, b body) error {
	req, err := h.decodeReset(b)
	if err != nil {
		return err
	}
	release, err := h.admit(c)
	if err != nil {
		return err
	}
	defer release()
	return h.resetter.Reset(c.Request().Context(), reset.Request{
		UserID:    req.UserID,
		Timestamp: req.Timestamp,
		Signature: req.Signature,
		Password:  req.Password,
		Confirm:   req.Confirm,
		Languages: preferredLanguages(c.Request()),
	})
}

func (h *handlers) decodeReset(b body) (resetRequest, error) {
	f := fields{body: b}
	req := resetRequest{
		UserID:    f.text("user_id"),
		Timestamp: f.integer("timestamp"),
		Signature: f.text("signature"),
		Password:  f.text("password"),
	}
	if h.cfg.PasswordConfirm {
		confirm := f.text("password_confirm")
		req.Confirm = &confirm
	}
	return req, f.err()
}

// admit waits for the reset's turn to hash (Config.HashQueue), so that a reset whose
// client hangs up meanwhile leaves the queue and never hashes.
func (h *handlers) admit(c *echo.Context) (release func(), err error) {
	if h.cfg.HashQueue == nil {
		return func() {}, nil
	}
	return h.cfg.HashQueue.Admit(c.Request().Context())
}
