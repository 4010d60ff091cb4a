package app

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // TIME_ZONE works where the system has no zone files (a minimal image)

	"github.com/pwreset/pwreset/domain/reset"
)

// EmailSettings are what the default e-mails say beyond the link: the product's
// name, whom to tell of a change one did not make, and the time zone of times.
type EmailSettings struct {
	// ProductName names the service in the e-mails (PRODUCT_NAME); empty: the
	// hosted page's product name, else the host of RESET_PASSWORD_VERIFICATION_URL.
	ProductName string `env:"PRODUCT_NAME"`
	// ChangedContact is the "this wasn't me" link or address of the
	// password-changed e-mail (RESET_PASSWORD_CHANGED_CONTACT); empty:
	// VERIFICATION_REPLY_TO_EMAIL, if set.
	ChangedContact string `env:"RESET_PASSWORD_CHANGED_CONTACT"`
	// TimeZone is the IANA zone times are written in (TIME_ZONE, Django's name).
	TimeZone string `env:"TIME_ZONE" envDefault:"UTC"`

	// The template files of the reset-link e-mail and of the password-changed one;
	// empty: the embedded defaults. {lang} in a path stands for each language.
	SubjectTemplate  string `env:"RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES_SUBJECT"`
	BodyTemplate     string `env:"RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES_BODY"`
	HTMLBodyTemplate string `env:"RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES_HTML_BODY"`
	ChangedSubject   string `env:"RESET_PASSWORD_CHANGED_EMAIL_TEMPLATES_SUBJECT"`
	ChangedBody      string `env:"RESET_PASSWORD_CHANGED_EMAIL_TEMPLATES_BODY"`
	ChangedHTMLBody  string `env:"RESET_PASSWORD_CHANGED_EMAIL_TEMPLATES_HTML_BODY"`

	// zone is TimeZone loaded, by Load (resolve); nil, which the e-mails take as
	// UTC, in a Config that Load did not make.
	zone *time.Location
}

// productName is the name the e-mails give the service.
func (c Config) productName() string {
	if c.Emails.ProductName != "" {
		return c.Emails.ProductName
	}
	if c.Page.ProductName != "" {
		return c.Page.ProductName
	}
	if u, err := url.Parse(c.Reset.URL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return reset.DefaultProduct
}

// emailDetails are the e-mails' details.
func (c Config) emailDetails() reset.Details {
	contact := c.Emails.ChangedContact
	if contact == "" {
		contact = c.Mail.ReplyTo
	}
	return reset.Details{Product: c.productName(), Period: c.Reset.Period, Contact: contact, Zone: c.Emails.zone}
}

// resolve loads the time zone into zone, or returns why it cannot. "" and "Local"
// are refused: LoadLocation takes them as UTC and as the machine's own zone, which
// are not IANA names.
func (e *EmailSettings) resolve() []error {
	zone, err := time.LoadLocation(e.TimeZone)
	if err != nil || e.TimeZone == "" || e.TimeZone == "Local" {
		return []error{fmt.Errorf("TIME_ZONE %q is not a time zone: use an IANA name such as UTC or Europe/Berlin", e.TimeZone)}
	}
	e.zone = zone
	return nil
}

func (e EmailSettings) problems() []error {
	var p []error
	if e.ChangedContact != "" {
		if err := reset.CheckContact(e.ChangedContact); err != nil {
			p = append(p, fmt.Errorf("RESET_PASSWORD_CHANGED_CONTACT %w", err))
		}
	}
	return p
}

// langPlaceholder in a template path stands for each supported language in turn.
const langPlaceholder = "{lang}"

// ProvideTemplates parses the e-mail templates, reading the files configured, with
// the product name, the link's period, the contact and the time zone they show.
func ProvideTemplates(cfg Config) (reset.Emails, error) {
	def := cfg.Languages.Default
	e := cfg.Emails
	link, err := parseTemplates(reset.KindResetLink, "RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES", def,
		e.SubjectTemplate, e.BodyTemplate, e.HTMLBodyTemplate)
	if err != nil {
		return reset.Emails{}, err
	}
	changed, err := parseTemplates(reset.KindPasswordChanged, "RESET_PASSWORD_CHANGED_EMAIL_TEMPLATES", def,
		e.ChangedSubject, e.ChangedBody, e.ChangedHTMLBody)
	if err != nil {
		return reset.Emails{}, err
	}
	return reset.Emails{Link: link, Changed: changed}.With(cfg.emailDetails()), nil
}

// parseTemplates reads the template files of one kind of e-mail, in each language,
// and parses them. An empty path takes the embedded defaults. A path without
// {lang} serves every language; with it, each language reads its own file, and one
// whose file is missing keeps its embedded template (but the default language's
// file must exist, which catches a mistyped path).
func parseTemplates(kind, prefix, defaultLang string, paths ...string) (*reset.Templates, error) {
	src := map[string]reset.TemplateSources{}
	for _, lang := range reset.Languages {
		var texts [3]string
		for i, suffix := range []string{"_SUBJECT", "_BODY", "_HTML_BODY"} {
			text, err := readTemplate(paths[i], lang, lang == defaultLang)
			if err != nil {
				return nil, fmt.Errorf("%s%s: read the template file: %w", prefix, suffix, err)
			}
			texts[i] = text
		}
		src[lang] = reset.TemplateSources{Subject: texts[0], Text: texts[1], HTML: texts[2]}
	}
	t, err := reset.ParseLocalizedTemplates(kind, defaultLang, src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	return t, nil
}

// readTemplate reads the file of path in lang; "" when there is none to read.
func readTemplate(path, lang string, required bool) (string, error) {
	if path == "" {
		return "", nil
	}
	perLang := strings.Contains(path, langPlaceholder)
	b, err := os.ReadFile(strings.ReplaceAll(path, langPlaceholder, lang))
	if perLang && !required && errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}
