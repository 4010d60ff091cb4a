package reset

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"

	"github.com/pwreset/pwreset/ports"
)

//go:embed templates
var defaults embed.FS

// Kinds of e-mail, each with its embedded default templates under templates/<kind>/.
const (
	KindResetLink       = "reset_link"
	KindPasswordChanged = "password_changed"
)

// Templates render one kind of e-mail. They see email and each of the user's login
// fields by name ({{.username}}); the link e-mail also verification_url, the
// password-changed one changed_at.
type Templates struct {
	subject *template.Template
	text    *template.Template
	html    *htmltemplate.Template // nil: no HTML part
}

// TemplateSources are the texts of the e-mail templates; an empty one means the default.
type TemplateSources struct {
	Subject string
	Text    string
	HTML    string // empty: no HTML part
}

// ParseTemplates parses the templates of an e-mail kind, using its embedded defaults
// for an empty subject or text body.
func ParseTemplates(kind string, src TemplateSources) (*Templates, error) {
	subject, err := parseText("subject", src.Subject, "templates/"+kind+"/subject.txt")
	if err != nil {
		return nil, err
	}
	text, err := parseText("body", src.Text, "templates/"+kind+"/body.txt")
	if err != nil {
		return nil, err
	}
	t := &Templates{subject: subject, text: text}
	if src.HTML != "" {
		t.html, err = htmltemplate.New("html_body").Option("missingkey=zero").Parse(src.HTML)
		if err != nil {
			return nil, fmt.Errorf("the HTML body template does not parse: %w", err)
		}
	}
	return t, nil
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
		b, err := defaults.ReadFile(fallback)
		if err != nil {
			return nil, err
		}
		src = string(b)
	}
	t, err := template.New(name).Option("missingkey=zero").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("the %s template does not parse: %w", name, err)
	}
	return t, nil
}

type rendered struct {
	subject, text, html string
}

func (t *Templates) render(data map[string]string) (rendered, error) {
	var r rendered
	var b bytes.Buffer
	if err := t.subject.Execute(&b, data); err != nil {
		return r, fmt.Errorf("render subject: %w", err)
	}
	// A subject is one line, as Django makes it.
	r.subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := t.text.Execute(&b, data); err != nil {
		return r, fmt.Errorf("render text body: %w", err)
	}
	r.text = b.String()
	if t.html != nil {
		b.Reset()
		if err := t.html.Execute(&b, data); err != nil {
			return r, fmt.Errorf("render HTML body: %w", err)
		}
		r.html = b.String()
	}
	return r, nil
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

// message renders the e-mail of kind for user, with extra template values.
func (t *Templates) message(kind, from string, user ports.User, extra map[string]string) (ports.Message, error) {
	data := map[string]string{"email": user.Email}
	for _, f := range user.Logins {
		data[f.Name] = f.Value
	}
	for k, v := range extra {
		data[k] = v
	}
	r, err := t.render(data)
	if err != nil {
		return ports.Message{}, fmt.Errorf("render the %s e-mail: %w", kind, err)
	}
	return ports.Message{Kind: kind, UserID: user.ID, From: from, To: user.Email,
		Subject: r.subject, Text: r.text, HTML: r.html}, nil
}
