package app

import (
	"cmp"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/domain/link"
)

// PageSettings configure the hosted reset page, the front end pwreset serves at the
// path of the e-mailed link for teams that have none of their own.
type PageSettings struct {
	// Hosted serves the page (HOSTED_RESET_PAGE); unset means on in demo mode when
	// the links point at pwreset itself, off otherwise.
	Hosted *bool `env:"HOSTED_RESET_PAGE"`
	// Template is a file holding an html/template that replaces the embedded page.
	Template    string `env:"HOSTED_RESET_PAGE_TEMPLATE"`
	Title       string `env:"HOSTED_RESET_PAGE_TITLE"`
	ProductName string `env:"HOSTED_RESET_PAGE_PRODUCT_NAME"`
	// SignInURL is offered once the password is changed: an absolute http(s) URL.
	SignInURL string `env:"HOSTED_RESET_PAGE_SIGN_IN_URL"`

	// templateText is the contents of the Template file, read and checked by Load
	// (resolvePage) when the page is served; "" (the embedded page) otherwise.
	templateText string
}

// hostedPage reports whether pwreset serves the reset page.
func (c Config) hostedPage() bool {
	if c.Page.Hosted != nil {
		return *c.Page.Hosted
	}
	return c.Demo() && c.Reset.URL == ""
}

// pagePath is where the page is served: the path of the links, or the default.
func (c Config) pagePath() string {
	if u, err := url.Parse(c.Reset.URL); err == nil && c.Reset.URL != "" {
		return u.Path
	}
	return apihttp.DefaultPagePath
}

// pageOrigin is the origin of the links (scheme://host[:port]), which the page's
// forms come from; "" without links of an absolute URL.
func (c Config) pageOrigin() string {
	u, err := url.Parse(c.Reset.URL)
	if err != nil || link.CheckBaseURL(c.Reset.URL) != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// pageConfig maps the settings to the HTTP adapter's.
func (c Config) pageConfig() apihttp.PageConfig {
	return apihttp.PageConfig{Enabled: c.hostedPage(), Path: c.pagePath(), Template: c.Page.templateText, Title: c.Page.Title,
		ProductName: cmp.Or(c.Page.ProductName, c.Emails.ProductName), DefaultLanguage: c.Languages.Default, SignInURL: c.Page.SignInURL,
		Origin: c.pageOrigin(), MinLength: c.Password.MinLength, BreachCheck: c.Password.BreachCheck,
		LoginTakesEmail: slices.Contains(c.Store.Users.LoginFields, c.Store.Users.EmailField)}
}

// resolvePage reads the page's template file into templateText, when the page is
// served with one, and returns why it cannot: the file is unreadable, or the
// template does not parse or render (which the adapter would find only when it
// serves the page).
func (c *Config) resolvePage() []error {
	if !c.hostedPage() || c.Page.Template == "" {
		return nil
	}
	b, err := os.ReadFile(c.Page.Template)
	if err != nil {
		return []error{fmt.Errorf("HOSTED_RESET_PAGE_TEMPLATE: read the template file: %w", err)}
	}
	if _, err := apihttp.ParsePageTemplate(string(b)); err != nil {
		return []error{fmt.Errorf("HOSTED_RESET_PAGE_TEMPLATE %s: %w", c.Page.Template, err)}
	}
	c.Page.templateText = string(b)
	return nil
}

// pageProblems checks the page settings (resolvePage, its template).
func (c Config) pageProblems() []error {
	if !c.hostedPage() {
		return nil
	}
	var p []error
	if strings.Contains(c.Reset.URL, link.UserIDPlaceholder) || strings.Contains(c.Reset.URL, link.TimestampPlaceholder) ||
		strings.Contains(c.Reset.URL, link.SignaturePlaceholder) {
		p = append(p, fmt.Errorf("HOSTED_RESET_PAGE reads the link's values from its query string: "+
			"remove the placeholders from RESET_PASSWORD_VERIFICATION_URL, or turn the hosted page off"))
	}
	if u := c.Page.SignInURL; u != "" && link.CheckBaseURL(u) != nil {
		p = append(p, fmt.Errorf("HOSTED_RESET_PAGE_SIGN_IN_URL %q must be an absolute http or https URL, such as https://app.example/login", u))
	}
	return p
}
