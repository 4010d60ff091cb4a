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

// pageConfig maps the settings to the HTTP adapter's, reading the template file.
func (c Config) pageConfig() (apihttp.PageConfig, error) {
	pc := apihttp.PageConfig{Enabled: c.hostedPage(), Path: c.pagePath(), Title: c.Page.Title,
		ProductName: cmp.Or(c.Page.ProductName, c.Emails.ProductName), DefaultLanguage: c.Languages.Default, SignInURL: c.Page.SignInURL,
		Origin: c.pageOrigin(), MinLength: c.Password.MinLength, BreachCheck: c.Password.BreachCheck,
		LoginTakesEmail: slices.Contains(c.Store.Users.LoginFields, c.Store.Users.EmailField)}
	if !pc.Enabled || c.Page.Template == "" {
		return pc, nil
	}
	b, err := os.ReadFile(c.Page.Template)
	if err != nil {
		return pc, fmt.Errorf("HOSTED_RESET_PAGE_TEMPLATE: read the template file: %w", err)
	}
	pc.Template = string(b)
	return pc, nil
}

// pageProblems checks the page settings, parsing the template if one is given.
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
	pc, err := c.pageConfig()
	if err == nil {
		_, err = apihttp.ParsePageTemplate(pc.Template)
		if err != nil {
			err = fmt.Errorf("HOSTED_RESET_PAGE_TEMPLATE %s: %w", c.Page.Template, err)
		}
	}
	if err != nil {
		p = append(p, err)
	}
	return p
}
