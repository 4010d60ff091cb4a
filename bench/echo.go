package main

import (
	"net"
	"net/http"
	"os"

	"github.com/labstack/echo/v5"
)

// echoRoleVar, when set in its environment, makes this command the bare Echo
// reference server, listening on the address it holds.
const echoRoleVar = "PWRESET_BENCH_ECHO_ADDR"

// serveEcho is the reference: a handler that binds the same JSON as
// send-reset-password-link and answers the same small body, and nothing else.
// It runs as a child process, so that it is measured as pwreset is.
func serveEcho(addr string) {
	e := echo.New()
	e.POST("/*", func(c *echo.Context) error {
		var req struct {
			Login string `json:"login"`
		}
		if err := c.Bind(&req); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]string{"detail": "Reset link sent"})
	})
	e.GET("/healthz", func(c *echo.Context) error { return c.NoContent(http.StatusOK) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		os.Exit(1)
	}
	_ = http.Serve(ln, e)
}
