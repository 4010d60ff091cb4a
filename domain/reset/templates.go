package reset

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	"text/template"
	"time"

	"github.com/pwreset/pwreset/ports"
)

//go:embed templates
var defaults embed.FS

// Kinds of e-mail, each with its embedded default templates under
// templates/<kind>/<lang>/ (subject.txt, body.txt, body.html).
const (
	KindResetLink       = "reset_link"
	KindPasswordChanged = "password_changed"
)

// Templates render one kind of e-mail in every supported language. They see email,
// each of the user's login fields by name ({{.username}}), subject (the rendered
// subject, for the HTML part's title) and the Details: product_name, valid_for (the
// link's period in words of the language), contact and contact_url; the link e-mail
// also verification_url, the password-changed one changed_at.
type Templates struct {
	kind     string
	byLang   map[string]*variant
	fallback string // the language of users and requests that name no supported one
	details  Details
	static   map[string]map[string]string // details.values of each language
}

// Details are what the e-mails say beyond the link and the time of a change.
type Details struct {
	// Product names the service the account belongs to (PRODUCT_NAME); empty:
	// DefaultProduct.
	Product string
	// Period is how long a link stays valid (RESET_PASSWORD_VERIFICATION_PERIOD);
	// zero: DefaultPeriod.
	Period time.Duration
	// Contact is where a user whose password changed without their doing reaches
	// the team (RESET_PASSWORD_CHANGED_CONTACT): an https URL or an e-mail address;
	// empty: none.
	Contact string
	// Zone is the time zone times are written in (TIME_ZONE); nil: UTC.
	Zone *time.Location
}

// With returns a copy of t that renders with d.
func (t *Templates) With(d Details) *Templates {
	c := *t
	c.details = d
	c.static = staticValues(d)
	return &c
}

// variant is one kind of e-mail in one language.
type variant struct {
	subject *template.Template
	text    *template.Template
	html    *htmltemplate.Template // nil: no HTML part
	fast    *fastVariant           // nil: the templates are executed (compiled.go)
}

// TemplateSources are the texts of the e-mail templates of one language; an empty
// one means the embedded default. The default HTML part is only used with the
// default text body, so that a team's own text is never paired with our HTML.
type TemplateSources struct {
	Subject string
	Text    string
	HTML    string
}

// ParseTemplates parses one set of templates for every language (a team's own
// template replaces the default in all of them), with DefaultLanguage as fallback.
func ParseTemplates(kind string, src TemplateSources) (*Templates, error) {
	all := map[string]TemplateSources{}
	for _, lang := range Languages {
		all[lang] = src
	}
	return ParseLocalizedTemplates(kind, DefaultLanguage, all)
}

// ParseLocalizedTemplates parses the templates of an e-mail kind in each of
// Languages, src[lang] holding that language's own (missing: the defaults). fallback
// is the language used when neither the user nor the request names a supported one.
func ParseLocalizedTemplates(kind, fallback string, src map[string]TemplateSources) (*Templates, error) {
	if !Supported(fallback) {
		return nil, fmt.Errorf("the default language %q is not one of %s", fallback, strings.Join(Languages, ", "))
	}
	t := &Templates{kind: kind, byLang: map[string]*variant{}, fallback: BaseLanguage(fallback), static: staticValues(Details{})}
	var errs []error
	for _, lang := range Languages {
		v, err := parseVariant(kind, lang, src[lang])
		if err != nil {
			errs = append(errs, fmt.Errorf("language %s: %w", lang, err))
		}
		t.byLang[lang] = v
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return t, nil
}

func parseVariant(kind, lang string, src TemplateSources) (*variant, error) {
	dir := "templates/" + kind + "/" + lang + "/"
	subject, err := parseText("subject", src.Subject, dir+"subject.txt")
	if err != nil {
		return nil, err
	}
	text, err := parseText("body", src.Text, dir+"body.txt")
	if err != nil {
		return nil, err
	}
	v := &variant{subject: subject, text: text}
	html := src.HTML
	if html == "" && src.Text == "" {
		html, err = embedded(dir + "body.html")
		if err != nil {
			return nil, err
		}
	}
	if html != "" {
		if v.html, err = parseHTML(html); err != nil {
			return nil, fmt.Errorf("the HTML body template does not parse: %w", err)
		}
	}
	v.fast = compileVariant(v)
	return v, nil
}

// parseHTML parses an HTML part with the embedded layout's templates beside it
// ("page", which renders the "content" the part defines), which a team's own
// part may use too.
func parseHTML(src string) (*htmltemplate.Template, error) {
	layout, err := embedded("templates/layout.html")
	if err != nil {
		return nil, err
	}
	t, err := htmltemplate.New("html_body").Option("missingkey=zero").Parse(layout)
	if err != nil {
		return nil, err
	}
	return t.Parse(src)
}

// DefaultTemplates returns the embedded templates of an e-mail kind.
func DefaultTemplates(kind string) *Templates {
	t, err := ParseTemplates(kind, TemplateSources{})
	if err != nil {
		panic(err) // the embedded templates are part of the program and are tested
	}
	return t
}

func parseText(name, src, fallback string) (*template.Template, error) {
	if src == "" {
		var err error
		if src, err = embedded(fallback); err != nil {
			return nil, err
		}
	}
	t, err := template.New(name).Option("missingkey=zero").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("the %s template does not parse: %w", name, err)
	}
	return t, nil
}

func embedded(name string) (string, error) {
	b, err := fs.ReadFile(defaults, name)
	return string(b), err
}

type rendered struct {
	subject, text, html string
}

func (v *variant) render(data map[string]string) (rendered, error) {
	var r rendered
	var b bytes.Buffer
	if err := v.subject.Execute(&b, data); err != nil {
		return r, fmt.Errorf("render subject: %w", err)
	}
	// A subject is one line, as Django makes it.
	r.subject = strings.Join(strings.Fields(b.String()), " ")
	data["subject"] = r.subject
	b.Reset()
	if err := v.text.Execute(&b, data); err != nil {
		return r, fmt.Errorf("render text body: %w", err)
	}
	r.text = b.String()
	if v.html != nil {
		b.Reset()
		if err := v.html.Execute(&b, data); err != nil {
			return r, fmt.Errorf("render HTML body: %w", err)
		}
		r.html = b.String()
	}
	return r, nil
}

// staticValues are d's template values in every language, which a compiled
// template reads (its values are never written to).
func staticValues(d Details) map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, lang := range Languages {
		m[lang] = d.values(lang)
	}
	return m
}

// Emails holds the templates of every kind of e-mail the workflow sends.
type Emails struct {
	Link    *Templates
	Changed *Templates
}

// DefaultEmails returns the embedded templates of every kind.
func DefaultEmails() Emails {
	return Emails{Link: DefaultTemplates(KindResetLink), Changed: DefaultTemplates(KindPasswordChanged)}
}

// With returns the templates of e rendering with d.
func (e Emails) With(d Details) Emails {
	return Emails{Link: e.Link.With(d), Changed: e.Changed.With(d)}
}

// language chooses the language of an e-mail to user: the user's own, else the first
// supported of the request's preferences, else the fallback.
func (t *Templates) language(user ports.User, prefs []string) string {
	return ChooseLanguage(t.fallback, append([]string{user.Language}, prefs...)...)
}

// Render renders the e-mail for user in lang (in the fallback language if lang is
// not supported), with extra template values.
func (t *Templates) Render(lang, from string, user ports.User, extra map[string]string) (ports.Message, error) {
	lang = BaseLanguage(lang)
	if t.byLang[lang] == nil {
		lang = t.fallback
	}
	if f := t.byLang[lang].fast; f != nil {
		r := f.render(&lookup{lang: lang, user: &user, extra: extra, static: t.static[lang]})
		return ports.Message{Kind: t.kind, UserID: user.ID, From: from, To: user.Email,
			Subject: r.subject, Text: r.text, HTML: r.html}, nil
	}
	data := t.details.values(lang)
	data["email"] = user.Email
	for _, f := range user.Logins {
		data[f.Name] = f.Value
	}
	for k, v := range extra {
		data[k] = v
	}
	data["lang"] = lang // the HTML part's lang attribute, whatever a field is called
	r, err := t.byLang[lang].render(data)
	if err != nil {
		return ports.Message{}, fmt.Errorf("render the %s e-mail: %w", t.kind, err)
	}
	return ports.Message{Kind: t.kind, UserID: user.ID, From: from, To: user.Email,
		Subject: r.subject, Text: r.text, HTML: r.html}, nil
}
