package http

import (
	"bytes"
	"cmp"
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

// The states of the page; pageData.State holds one.
const (
	stateForm       = "form"       // the form for the new password
	stateDone       = "done"       // the password is changed
	stateBadLink    = "bad-link"   // the link is forged, used, superseded or expired
	stateIncomplete = "incomplete" // the link lacks its values
	stateLinkSent   = "link-sent"  // a new link was asked for
)

// pageData is what the page template sees; docs/configuration.md lists it for teams
// that write their own.
type pageData struct {
	Lang     string      // the page's language, for <html lang>
	T        pageText    // its words in that language
	Title    string      // the window's title, which follows the state
	Heading  string      // the page's heading: the title without "Error: "
	Product  string      // PageConfig.ProductName
	Endpoint string      // the reset-password endpoint the script posts to
	Confirm  bool        // whether to ask for the confirmation
	LinkOK   bool        // whether to show the form for the new password
	Messages string      // JSON translations of the API's messages, for the script (data-messages)
	Nonce    string      // this answer's CSP nonce, for <script> and <style>
	Script   template.JS // the page's script

	State        string       // stateForm, stateDone, ...
	Action       string       // where the form for the new password posts without the script
	NewLink      bool         // whether to show the form that asks for a new link
	LinkAction   string       // where that form posts without the script
	LinkEndpoint string       // the send-reset-password-link endpoint the script posts to
	ByEmail      bool         // whether that form asks for the e-mail address (else the login)
	ByName       bool         // whether the login it asks for is the username alone
	Link         linkValues   // the link's values, hidden fields of the form
	Login        string       // the account's login, for password managers; "" if unknown
	Requirements []string     // the password's requirements, in the page's language
	Errors       []message    // messages about the whole form, translated
	Fields       fieldMessage // messages beside each field, translated
	Notice       string       // what happened, once done or a link is sent
	SignInURL    string       // PageConfig.SignInURL

	formTitle string // the form's title: PageConfig.Title, or T.Title
}

// fieldMessage holds the messages shown beside each field of the page's forms.
type fieldMessage struct {
	Password, PasswordConfirm, Login []message
}

// message is a message the page shows. Lang is "en" for one of the API's messages
// that the page's language does not translate, so that it is read as English.
type message struct {
	Text, Lang string
}

// String is the message's text, as a template writes it.
func (m message) String() string { return m.Text }

// say is a message of the page's own, in its language.
func say(text string) []message { return []message{{Text: text}} }

// linkValues are a link's values as the page's URL or form carries them.
type linkValues struct {
	UserID, Timestamp, Signature string
}

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

// setState shows state: which forms, and the title that goes with it.
func (d *pageData) setState(state string) {
	d.State = state
	d.LinkOK = state == stateForm
	d.NewLink = state == stateBadLink || state == stateIncomplete || state == stateNewLink
	switch state {
	case stateForm, stateRefused:
		d.Heading = cmp.Or(d.formTitle, d.T.Title)
	case stateDone:
		d.Heading, d.Notice = d.T.TitleDone, d.T.Success
	case stateIncomplete:
		d.Heading, d.Errors = d.T.TitleIncomplete, say(d.T.Incomplete)
	case stateLinkSent:
		d.Heading = d.T.TitleLinkSent
	case stateNewLink:
		d.Heading = d.T.TitleNewLink
	case stateBadLink:
		d.Heading = d.T.TitleInvalid
	}
	d.Title = d.Heading
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
