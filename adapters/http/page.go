package http

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"fmt"
	"html/template"
	stdhttp "net/http"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"github.com/pwreset/pwreset/domain/reset"
)

// DefaultPagePath is where the hosted reset page is served unless the links point
// elsewhere on this host.
const DefaultPagePath = "/reset-password/"

// PageConfig says whether and how pwreset serves the page the reset link opens.
type PageConfig struct {
	// Enabled serves the page (HOSTED_RESET_PAGE).
	Enabled bool
	// Path is where; empty means DefaultPagePath. It is served with and without its
	// trailing slash.
	Path string
	// Template replaces the page's embedded template (the contents of the file
	// HOSTED_RESET_PAGE_TEMPLATE names); ParsePageTemplate checks it.
	Template string
	// Title replaces the page's title in every language (HOSTED_RESET_PAGE_TITLE).
	Title string
	// ProductName is shown above the title (HOSTED_RESET_PAGE_PRODUCT_NAME).
	ProductName string
	// DefaultLanguage is the page's language when the browser asks for no supported
	// one (DEFAULT_LANGUAGE); empty means reset.DefaultLanguage.
	DefaultLanguage string
}

var (
	//go:embed page.html
	defaultPageTemplate string
	//go:embed page.js
	pageScript string
)

// pageData is what the page template sees; docs/configuration.md lists it for teams
// that write their own.
type pageData struct {
	Lang     string      // the page's language, for <html lang>
	T        pageText    // its words in that language
	Title    string      // the title: PageConfig.Title, or T.Title
	Product  string      // PageConfig.ProductName
	Endpoint string      // the reset-password endpoint the form posts to
	Confirm  bool        // whether to ask for the confirmation
	LinkOK   bool        // whether the URL carries a well-formed link; if not, show no form
	Messages string      // JSON translations of the API's messages, for the script (data-messages)
	Nonce    string      // this answer's CSP nonce, for <script> and <style>
	Script   template.JS // the page's script
}

// ParsePageTemplate parses a page template (empty: the embedded one) and renders it
// once, so that a broken one is refused at start rather than at the first visitor.
func ParsePageTemplate(src string) (*template.Template, error) {
	if src == "" {
		src = defaultPageTemplate
	}
	t, err := template.New("page").Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("the reset page template does not parse: %w", err)
	}
	data := pageData{Lang: reset.DefaultLanguage, T: pageTexts[reset.DefaultLanguage], LinkOK: true, Nonce: "n"}
	for _, ok := range []bool{true, false} {
		data.LinkOK = ok
		if err := t.Execute(&bytes.Buffer{}, data); err != nil {
			return nil, fmt.Errorf("the reset page template does not render: %w", err)
		}
	}
	return t, nil
}

// pageCSP allows only the script and style that carry this answer's nonce, and
// requests to this host; the page can neither be framed nor submit a form natively.
func pageCSP(nonce string) string {
	return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce + "'; " +
		"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// resetPage serves the hosted reset page, posting to endpoint. It panics if the
// configured template does not parse: ParsePageTemplate refuses it at start.
func resetPage(cfg PageConfig, endpoint string, confirm bool) echo.HandlerFunc {
	t, err := ParsePageTemplate(cfg.Template)
	if err != nil {
		panic(err)
	}
	fallback := cfg.DefaultLanguage
	if !reset.Supported(fallback) {
		fallback = reset.DefaultLanguage
	}
	return func(c *echo.Context) error {
		r := c.Request()
		lang := reset.ChooseLanguage(reset.BaseLanguage(fallback), preferredLanguages(r)...)
		data := pageData{Lang: lang, T: pageTexts[lang], Title: cfg.Title, Product: cfg.ProductName,
			Endpoint: endpoint, Confirm: confirm, LinkOK: linkComplete(r), Messages: messagesJSON(lang),
			Nonce: rand.Text(), Script: template.JS(pageScript)}
		if data.Title == "" {
			data.Title = data.T.Title
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return fmt.Errorf("render the reset page: %w", err)
		}
		h := c.Response().Header()
		h.Set(echo.HeaderContentSecurityPolicy, pageCSP(data.Nonce))
		h.Set("Content-Language", lang)
		h.Add(echo.HeaderVary, "Accept-Language")
		return c.HTMLBlob(stdhttp.StatusOK, b.Bytes())
	}
}

var (
	timestampPattern = regexp.MustCompile(`^[0-9]{1,19}$`)
	signaturePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// linkComplete reports whether the page's URL carries the three values of a link in
// a form the API could accept. It only decides whether to show the form: the values
// are never written into the page (the script reads them from the URL).
func linkComplete(r *stdhttp.Request) bool {
	q := r.URL.Query()
	id := q.Get("user_id")
	return id != "" && len(id) <= 256 && utf8.ValidString(id) && strings.IndexFunc(id, unicode.IsControl) < 0 &&
		timestampPattern.MatchString(q.Get("timestamp")) && signaturePattern.MatchString(q.Get("signature"))
}
