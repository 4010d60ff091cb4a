package app_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// TestHostedPageSettings: the page is on in demo mode, off in production unless
// asked for, served at the links' path, with its template read from the file.
func TestHostedPageSettings(t *testing.T) {
	tpl := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(tpl, []byte(`<html lang="{{.Lang}}">{{.Title}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     []string
		enabled bool
		path    string
	}{
		{"demo mode", nil, true, "/reset-password/"},
		{"demo mode with an outside front end", []string{"RESET_PASSWORD_VERIFICATION_URL=https://front.example/r/"}, false, "/r/"},
		{"production", production, false, "/reset-password/"},
		{"production, asked for", append(slices.Clone(production), "HOSTED_RESET_PAGE=true",
			"RESET_PASSWORD_VERIFICATION_URL=https://pwreset.example/account/reset", "HOSTED_RESET_PAGE_TEMPLATE="+tpl,
			"HOSTED_RESET_PAGE_TITLE=T", "HOSTED_RESET_PAGE_PRODUCT_NAME=P", "DEFAULT_LANGUAGE=fr",
			"HOSTED_RESET_PAGE_SIGN_IN_URL=https://app.example/login", "PASSWORD_MIN_LENGTH=12", "BREACHED_PASSWORD_CHECK=true",
			"USER_LOGIN_FIELDS=username,email"), true, "/account/reset"},
		{"demo mode, turned off", []string{"HOSTED_RESET_PAGE=false"}, false, "/reset-password/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := app.Load(tt.env)
			if err != nil {
				t.Fatal(err)
			}
			p := app.ProvideHTTPConfig(cfg, apihttp.Operations{}, nil).Page
			if p.Enabled != tt.enabled || p.Path != tt.path {
				t.Fatalf("page %+v", p)
			}
			if tt.enabled && len(tt.env) > 0 && (p.Template != `<html lang="{{.Lang}}">{{.Title}}` || p.Title != "T" ||
				p.ProductName != "P" || p.DefaultLanguage != "fr" || p.SignInURL != "https://app.example/login" ||
				p.Origin != "https://pwreset.example" || p.MinLength != 12 || !p.BreachCheck || !p.LoginTakesEmail) {
				t.Fatalf("page settings not read: %+v", p)
			}
		})
	}
}

// TestPageTemplateReadAtLoad: the page's template file is read (and checked) once,
// by Load; the API's settings get its text without reading the file again, so a file
// gone after start-up changes nothing. Before, ProvideHTTPConfig read it again.
func TestPageTemplateReadAtLoad(t *testing.T) {
	tpl := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(tpl, []byte(`<html lang="{{.Lang}}">{{.Title}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.Load([]string{"HOSTED_RESET_PAGE_TEMPLATE=" + tpl})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(tpl); err != nil {
		t.Fatal(err)
	}
	if p := app.ProvideHTTPConfig(cfg, apihttp.Operations{}, nil).Page; !p.Enabled || p.Template != `<html lang="{{.Lang}}">{{.Title}}` {
		t.Errorf("page %+v; want it served with the template read at load", p)
	}
}

// TestPageProductName: the page names the product as its own setting says, else as
// the e-mails do.
func TestPageProductName(t *testing.T) {
	for _, tt := range []struct {
		env  []string
		want string
	}{
		{nil, ""},
		{[]string{"PRODUCT_NAME=Example Shop"}, "Example Shop"},
		{[]string{"PRODUCT_NAME=Example Shop", "HOSTED_RESET_PAGE_PRODUCT_NAME=Shop"}, "Shop"},
	} {
		cfg, err := app.Load(tt.env)
		if err != nil {
			t.Fatal(err)
		}
		if got := app.ProvideHTTPConfig(cfg, apihttp.Operations{}, nil).Page.ProductName; got != tt.want {
			t.Errorf("%v: product %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestPageAndLanguageProblems(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "broken.html")
	if err := os.WriteFile(broken, []byte(`{{.Nope}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		env  []string
		want []string
	}{
		{[]string{"DEFAULT_LANGUAGE=it"}, []string{`DEFAULT_LANGUAGE "it" is not supported: use one of en, de, fr, es`}},
		{[]string{"DEFAULT_LANGUAGE=de-CH"}, []string{`DEFAULT_LANGUAGE "de-CH" is not supported`}},
		{[]string{"HOSTED_RESET_PAGE=sometimes"}, []string{"HOSTED_RESET_PAGE"}},
		{[]string{"HOSTED_RESET_PAGE_TEMPLATE=" + broken}, []string{"HOSTED_RESET_PAGE_TEMPLATE " + broken + ": the reset page template does not render"}},
		{[]string{"HOSTED_RESET_PAGE_TEMPLATE=/no/such/page.html"}, []string{"HOSTED_RESET_PAGE_TEMPLATE: read the template file"}},
		{[]string{"HOSTED_RESET_PAGE_SIGN_IN_URL=/login"}, []string{`HOSTED_RESET_PAGE_SIGN_IN_URL "/login" must be an absolute http or https URL`}},
		{[]string{"HOSTED_RESET_PAGE_SIGN_IN_URL=javascript:alert(1)"}, []string{`HOSTED_RESET_PAGE_SIGN_IN_URL "javascript:alert(1)" must be an absolute http or https URL`}},
		{[]string{"HOSTED_RESET_PAGE=true", "RESET_PASSWORD_VERIFICATION_URL=https://x.example/r/{user_id}/{signature}"},
			[]string{"HOSTED_RESET_PAGE reads the link's values from its query string"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.env, " "), func(t *testing.T) { wantProblems(t, c.env, c.want...) })
	}
}

// TestTemplatesPerLanguage: a {lang} path gives each language its own file; a
// language without one keeps its embedded template; the default language's file
// must exist.
func TestTemplatesPerLanguage(t *testing.T) {
	dir := t.TempDir()
	for lang, subject := range map[string]string{"en": "Your link", "de": "Ihr Link"} {
		if err := os.WriteFile(filepath.Join(dir, "subject."+lang+".txt"), []byte(subject), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	subject := filepath.Join(dir, "subject.{lang}.txt")
	cfg, err := app.Load([]string{"RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES_SUBJECT=" + subject})
	if err != nil {
		t.Fatal(err)
	}
	emails, err := app.ProvideTemplates(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "Your link", "de": "Ihr Link", "es": "Restablecer su contraseña de pwreset"} {
		if got := subjectIn(t, emails, lang); got != want {
			t.Errorf("%s subject %q, want %q", lang, got, want)
		}
	}
	cfg.Languages.Default = "fr"
	if _, err := app.ProvideTemplates(cfg); err == nil || !strings.Contains(err.Error(), "subject.fr.txt") {
		t.Errorf("a missing default-language file: %v", err)
	}
	cfg.Languages.Default = "en"
	cfg.Emails.SubjectTemplate = filepath.Join(dir, "subject.en.txt") // no {lang}: one file for all
	emails, err = app.ProvideTemplates(cfg)
	if err != nil || subjectIn(t, emails, "de") != "Your link" {
		t.Errorf("one file for every language: %v", err)
	}
}

// subjectIn renders the subject of the link e-mail in lang.
func subjectIn(t *testing.T, emails reset.Emails, lang string) string {
	t.Helper()
	msg, err := emails.Link.Render(lang, "from@example.com", ports.User{ID: "1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return msg.Subject
}
