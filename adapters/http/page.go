package http

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"fmt"
	"html/template"
	"log/slog"
	stdhttp "net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
)

// DefaultPagePath is where the hosted reset page is served unless the links point
// elsewhere on this host.
const DefaultPagePath = "/reset-password/"

// Where, under the page's path, its forms post when the browser runs no script.
const (
	pageResetPath   = "new-password"
	pageNewLinkPath = "new-link"
)

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
	// Title replaces the title of the page's form in every language
	// (HOSTED_RESET_PAGE_TITLE); the other states keep theirs.
	Title string
	// ProductName is shown above the title (HOSTED_RESET_PAGE_PRODUCT_NAME).
	ProductName string
	// DefaultLanguage is the page's language when the browser asks for no supported
	// one (DEFAULT_LANGUAGE); empty means reset.DefaultLanguage.
	DefaultLanguage string
	// SignInURL is where the page offers to sign in once the password is changed
	// (HOSTED_RESET_PAGE_SIGN_IN_URL); empty offers nothing.
	SignInURL string
	// Origin is the page's own origin as the links name it (scheme://host[:port]),
	// trusted by the check of forms posted without the script; empty trusts only
	// the request's own Host.
	Origin string
	// MinLength is the password's minimum length (PASSWORD_MIN_LENGTH), shown with
	// the requirements; 0 means Django's default.
	MinLength int
	// BreachCheck says that breached passwords are refused (BREACHED_PASSWORD_CHECK).
	BreachCheck bool
	// LoginTakesEmail says that a login may be the e-mail address (USER_LOGIN_FIELDS
	// names USER_EMAIL_FIELD), for the words of the form that asks for a new link.
	LoginTakesEmail bool
}

var (
	//go:embed page.html
	defaultPageTemplate string
	//go:embed page.js
	pageScript string
)

// ParsePageTemplate parses a page template (empty: the embedded one) and renders it
// once in every state, so that a broken one is refused at start rather than at the
// first visitor.
func ParsePageTemplate(src string) (*template.Template, error) {
	if src == "" {
		src = defaultPageTemplate
	}
	t, err := template.New("page").Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("the reset page template does not parse: %w", err)
	}
	data := pageData{Lang: reset.DefaultLanguage, T: pageTexts[reset.DefaultLanguage], Nonce: "n",
		Errors: say("e"), Fields: fieldMessage{Password: []message{{Text: "p"}, {Text: "q", Lang: "en"}}}}
	for _, state := range []string{stateForm, stateDone, stateBadLink, stateIncomplete, stateLinkSent, stateNewLink, stateRefused} {
		data.setState(state)
		if err := t.Execute(&bytes.Buffer{}, data); err != nil {
			return nil, fmt.Errorf("the reset page template does not render: %w", err)
		}
	}
	return t, nil
}

// pageCSP allows only the script and style that carry this answer's nonce, requests
// to this host, and forms posted to it.
func pageCSP(nonce string) string {
	return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce + "'; " +
		"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// page serves the hosted reset page and the forms it posts without its script.
type page struct {
	h        *handlers
	cfg      PageConfig
	tpl      *template.Template
	fallback string // the language when the browser asks for none supported
	path     string // the page's path, ending in a slash
	api      string // the API's prefix
	csrf     *stdhttp.CrossOriginProtection
	log      *slog.Logger
}

// servePage routes the page: GET at its path (with and without the trailing slash)
// and the two forms' POSTs under it. It panics if the configured template does not
// parse or the origin is malformed: the configuration's check refuses both at start.
func servePage(e *echo.Echo, h *handlers, apiPrefix string, log *slog.Logger) {
	cfg := h.cfg.Page
	t, err := ParsePageTemplate(cfg.Template)
	if err != nil {
		panic(err)
	}
	p := &page{h: h, cfg: cfg, tpl: t, fallback: reset.BaseLanguage(cfg.DefaultLanguage),
		path: slashed(cfg.Path, DefaultPagePath), api: apiPrefix, csrf: stdhttp.NewCrossOriginProtection(), log: log}
	if !reset.Supported(p.fallback) {
		p.fallback = reset.DefaultLanguage
	}
	if cfg.Origin != "" {
		if err := p.csrf.AddTrustedOrigin(cfg.Origin); err != nil {
			panic(fmt.Errorf("the reset page's origin: %w", err))
		}
	}
	e.GET(p.path, p.show)
	if p.path != "/" {
		e.GET(strings.TrimSuffix(p.path, "/"), p.show)
	}
	// A GET there (a reload, a bookmark) shows the page without a link.
	for path, post := range map[string]echo.HandlerFunc{pageResetPath: p.reset, pageNewLinkPath: p.newLink} {
		e.POST(p.path+path, post)
		e.GET(p.path+path, p.show)
	}
}

// data is what every answer of the page starts from, in the request's language.
func (p *page) data(c *echo.Context) pageData {
	lang := reset.ChooseLanguage(p.fallback, preferredLanguages(c.Request())...)
	d := pageData{Lang: lang, T: pageTexts[lang], Product: p.cfg.ProductName, Endpoint: p.api + "reset-password/",
		Confirm: p.h.cfg.PasswordConfirm, Messages: messagesJSON(lang), Nonce: rand.Text(), Script: template.JS(pageScript),
		Action: p.path + pageResetPath, LinkAction: p.path + pageNewLinkPath, LinkEndpoint: p.api + "send-reset-password-link/",
		ByEmail: p.h.cfg.UseEmail, ByName: !p.cfg.LoginTakesEmail, SignInURL: p.cfg.SignInURL, Requirements: p.requirements(lang)}
	if d.formTitle = p.cfg.Title; d.formTitle == "" {
		d.formTitle = d.T.Title
	}
	d.setState(stateForm)
	return d
}

// requirements lists, in lang, what the password policy asks of a new password.
func (p *page) requirements(lang string) []string {
	t, n := pageTexts[lang], p.cfg.MinLength
	if n <= 0 {
		n = policy.DefaultMinLength
	}
	length := t.ReqLength
	if n == 1 {
		length = t.ReqLengthOne
	}
	reqs := []string{formatCount(length, n), t.ReqCommon, t.ReqNumeric, t.ReqSimilar}
	if p.cfg.BreachCheck {
		reqs = append(reqs, t.ReqBreached)
	}
	return reqs
}

// render writes the page with status.
func (p *page) render(c *echo.Context, status int, d pageData) error {
	var b bytes.Buffer
	if err := p.tpl.Execute(&b, d); err != nil {
		return fmt.Errorf("render the reset page: %w", err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentSecurityPolicy, pageCSP(d.Nonce))
	h.Set("Content-Language", d.Lang)
	h.Add(echo.HeaderVary, "Accept-Language")
	return c.HTMLBlob(status, b.Bytes())
}
