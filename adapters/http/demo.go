package http

import (
	"bytes"
	_ "embed"
	"html/template"
	stdhttp "net/http"

	"github.com/labstack/echo/v5"
)

//go:embed demo.html
var demoSource string

var demoTemplate = template.Must(template.New("demo").Parse(demoSource))

// demoCSP lets the page run its own inline script and style and talk to this host
// only; nothing the server renders into it comes from a request.
const demoCSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// demoPage serves a minimal front end for the link in the reset e-mail, so that demo
// mode works end to end without one: it posts the link's values and the new password
// to endpoint and shows the answer.
func demoPage(endpoint string, confirm bool) echo.HandlerFunc {
	var b bytes.Buffer
	data := struct {
		Endpoint string
		Confirm  bool
	}{endpoint, confirm}
	if err := demoTemplate.Execute(&b, data); err != nil {
		panic(err) // the template is embedded and its data are ours: a bug, caught by the tests
	}
	page := b.Bytes()
	return func(c *echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentSecurityPolicy, demoCSP)
		return c.HTMLBlob(stdhttp.StatusOK, page)
	}
}
