package reset

import (
	"bytes"
	htmltemplate "html/template"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// executed is t with every variant executed, as before compiled templates.
func executed(t *Templates) *Templates {
	c := *t
	c.byLang = map[string]*variant{}
	for lang, v := range t.byLang {
		e := *v
		e.fast = nil
		c.byLang[lang] = &e
	}
	return &c
}

// sameRender renders with t and with its executed twin and fails if they differ.
func sameRender(t *testing.T, tmpl *Templates, lang string, user ports.User, extra map[string]string) {
	t.Helper()
	got, err := tmpl.Render(lang, "noreply@example.com", user, extra)
	if err != nil {
		t.Fatal(err)
	}
	want, err := executed(tmpl).Render(lang, "noreply@example.com", user, extra)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%s %s with user %+v, values %q:\ncompiled %#v\nexecuted %#v", tmpl.kind, lang, user, extra, got, want)
	}
}

// nasty are values that html/template escapes in every way it can.
var nasty = []string{
	"", "ann", `"quoted" & 'single' <b>bold</b> a+b=c`, "https://front.example/reset/?user_id=1&timestamp=2&signature=x%2By",
	"javascript:alert(1)", "JavaScript:alert(1)", "httpſ://x", "mailto:ann@example.com", "//evil.example/x",
	"/p?q=1 2#f", "Zoë Ωμέγα 日本語 \u2028 \ufdd0 \x00 \xff", "%41%4%zz%", "{{.email}}", markerPrefix + "0000X",
	" lead  and trail ", "line\nbreak\ttab",
}

// TestBuiltInTemplatesCompile checks that the link e-mail, the one rendered while
// a client waits, is compiled in every language (and with a team's details), and
// that compiled and executed templates write the same bytes for every kind,
// language and value, whether compiled or not.
func TestBuiltInTemplatesCompile(t *testing.T) {
	d := Details{Product: `Shop "<&>" +1`, Period: 90 * time.Minute, Contact: "help@shop.example"}
	for _, kind := range []string{KindResetLink, KindPasswordChanged, KindBreachReset} {
		for _, tmpl := range []*Templates{DefaultTemplates(kind), DefaultTemplates(kind).With(d)} {
			for _, lang := range Languages {
				if kind == KindResetLink && tmpl.byLang[lang].fast == nil {
					t.Fatalf("the %s e-mail in %s is not compiled", kind, lang)
				}
				for _, v := range nasty {
					user := ports.User{ID: "7", Email: v, Logins: []ports.Field{{Name: "username", Value: v}}}
					sameRender(t, tmpl, lang, user, map[string]string{"verification_url": v, "changed_at": v,
						"password_disabled": v})
					sameRender(t, tmpl, lang, ports.User{ID: "unknown-1"}, map[string]string{"verification_url": v})
				}
			}
		}
	}
}

// customHTML are HTML parts a team might write, with values in every context.
var customHTML = map[string]bool{ // compiled or not
	`<p>{{.username}} {{.email}}</p><a href="{{.verification_url}}">{{.verification_url}}</a>`:                      true,
	`<a href="https://x.example/{{.username}}?e={{.email}}&amp;u={{.verification_url}}" title="{{.product_name}}">`: true,
	`<title>{{.subject}}</title><img alt='{{.username}}' src="{{.verification_url}}">`:                              true,
	`<a href={{.verification_url}}>unquoted</a>`:                                                                    false,
	`<script>var u = {{.verification_url}};</script>`:                                                               false,
	`<p style="color: {{.username}}">x</p>`:                                                                         false,
	`<p onclick="go('{{.username}}')">x</p>`:                                                                        false,
	`{{if .username}}<p>{{.username}}</p>{{end}}`:                                                                   false,
	`<p>{{.username | printf "%q"}}</p>`:                                                                            false,
	`{{define "content"}}<p>{{.verification_url}}</p>{{end}}{{template "page" .}}`:                                  true,
	`<!-- {{.email}} --><p>{{.lang}}</p>`:                                                                           true,
}

// TestCustomTemplatesCompileOnlyWhereSafe checks which of a team's templates are
// compiled, and that compiled or not, each renders as html/template does.
func TestCustomTemplatesCompileOnlyWhereSafe(t *testing.T) {
	for src, compiles := range customHTML {
		tmpl, err := ParseTemplates(KindResetLink, TemplateSources{Subject: "Hi {{.username}}", Text: "{{.verification_url}}", HTML: src})
		if err != nil {
			t.Fatal(err)
		}
		if got := tmpl.byLang["en"].fast != nil; got != compiles {
			t.Errorf("%s: compiled %v, want %v", src, got, compiles)
		}
		for _, v := range nasty {
			sameRender(t, tmpl, "en", ports.User{ID: "1", Email: v, Logins: []ports.Field{{Name: "username", Value: v}}},
				map[string]string{"verification_url": v})
		}
	}
}

// TestValuePrecedence checks that a compiled template finds a value where the
// executed one does when names collide: a login field named like a detail or
// "email", an extra value named like a login field, "lang" and "subject".
func TestValuePrecedence(t *testing.T) {
	tmpl, err := ParseTemplates(KindResetLink, TemplateSources{
		Subject: "{{.product_name}} {{.email}} {{.subject}} {{.lang}}",
		Text:    "{{.product_name}} {{.email}} {{.username}} {{.subject}} {{.lang}} {{.valid_for}} {{.missing}}",
		HTML:    "<p>{{.product_name}} {{.email}} {{.username}} {{.subject}} {{.lang}}</p>"})
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.byLang["en"].fast == nil {
		t.Fatal("not compiled")
	}
	user := ports.User{ID: "1", Email: "ann@example.com", Logins: []ports.Field{{Name: "product_name", Value: "login1"},
		{Name: "email", Value: "login2"}, {Name: "username", Value: "u1"}, {Name: "username", Value: "u2"},
		{Name: "lang", Value: "xx"}, {Name: "subject", Value: "s"}}}
	sameRender(t, tmpl, "de", user, map[string]string{"username": "extra", "subject": "s2", "lang": "yy"})
	sameRender(t, tmpl.With(Details{Product: "P"}), "fr", ports.User{}, nil)
}

// FuzzCompiledTemplates renders the built-in link e-mail and a custom one with
// arbitrary values, compiled and executed, and fails if they differ.
func FuzzCompiledTemplates(f *testing.F) {
	for _, v := range nasty {
		f.Add(v, v, v, v)
	}
	link := DefaultTemplates(KindResetLink)
	custom, err := ParseTemplates(KindResetLink, TemplateSources{Subject: "{{.username}}", Text: "{{.email}}",
		HTML: `<a href="{{.verification_url}}" title="{{.username}}">{{.email}}</a><a href="/u/{{.username}}?e={{.email}}">`})
	if err != nil || custom.byLang["en"].fast == nil {
		f.Fatalf("custom template not compiled: %v", err)
	}
	f.Fuzz(func(t *testing.T, email, login, url, product string) {
		user := ports.User{ID: "1", Email: email, Logins: []ports.Field{{Name: "username", Value: login}}}
		extra := map[string]string{"verification_url": url}
		for _, tmpl := range []*Templates{link, link.With(Details{Product: product}), custom} {
			sameRender(t, tmpl, "es", user, extra)
		}
	})
}

// FuzzEscapers compares each escaper with html/template in its context.
func FuzzEscapers(f *testing.F) {
	for _, v := range append(nasty, probes...) {
		f.Add(v)
	}
	contexts := map[escaper]*htmltemplate.Template{
		escapeHTML:     htmltemplate.Must(htmltemplate.New("").Parse(`<p>{{.}}</p>`)),
		escapeURL:      htmltemplate.Must(htmltemplate.New("").Parse(`<a href="{{.}}"></a>`)),
		escapeURLPart:  htmltemplate.Must(htmltemplate.New("").Parse(`<a href="/x/{{.}}"></a>`)),
		escapeURLQuery: htmltemplate.Must(htmltemplate.New("").Parse(`<a href="/x?q={{.}}"></a>`)),
	}
	f.Fuzz(func(t *testing.T, s string) {
		for e, tmpl := range contexts {
			var b bytes.Buffer
			if err := tmpl.Execute(&b, s); err != nil {
				t.Fatal(err)
			}
			var prefix, suffix string
			switch e {
			case escapeHTML:
				prefix, suffix = "<p>", "</p>"
			case escapeURL:
				prefix, suffix = `<a href="`, `"></a>`
			case escapeURLPart:
				prefix, suffix = `<a href="/x/`, `"></a>`
			case escapeURLQuery:
				prefix, suffix = `<a href="/x?q=`, `"></a>`
			}
			want := strings.TrimSuffix(strings.TrimPrefix(b.String(), prefix), suffix)
			if got := string(appendEscaped(nil, e, s)); got != want {
				t.Fatalf("escaper %d of %q: %q, html/template %q", e, s, got, want)
			}
		}
	})
}
