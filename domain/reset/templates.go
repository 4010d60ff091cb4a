package reset

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
)

//go:embed templates/subject.txt templates/body.txt
var defaults embed.FS

// Templates render the link e-mail. They see verification_url, email and each of the
// user's login fields by name ({{.username}}).
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

// ParseTemplates parses the given template texts, using the embedded defaults for
// an empty subject or text body.
func ParseTemplates(src TemplateSources) (*Templates, error) {
	subject, err := parseText("subject", src.Subject, "templates/subject.txt")
	if err != nil {
		return nil, err
	}
	text, err := parseText("body", src.Text, "templates/body.txt")
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

// DefaultTemplates returns the embedded templates.
func DefaultTemplates() *Templates {
	t, err := ParseTemplates(TemplateSources{})
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
