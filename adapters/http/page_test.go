package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/domain/reset"
)

const goodLink = "?user_id=1&timestamp=1700000000&signature=Zm9vYmFyYmF6_-0"

func withPageConfig(pc pwhttp.PageConfig) option {
	return func(s *setup) { pc.Enabled = true; s.http.Page = pc }
}

func TestResetPage(t *testing.T) {
	tests := []struct {
		name    string
		opts    []option
		path    string
		headers []string
		want    []string
		notWant []string
	}{
		{"page", []option{withPage}, "/reset-password/" + goodLink, nil,
			[]string{`<html lang="en">`, `data-endpoint="/api/v1/accounts/reset-password/"`, `<label for="password">New password</label>`,
				`method="post"`, `aria-live="polite"`, `role="alert"`, `id="show-password"`, `name="viewport"`},
			[]string{"password_confirm", "Zm9vYmFyYmF6"}},
		{"no slash", []option{withPage}, "/reset-password" + goodLink, nil, []string{`name="password"`}, nil},
		{"with confirmation", []option{withPage, withConfirm}, "/reset-password/" + goodLink, nil,
			[]string{`name="password_confirm"`, `aria-describedby="password_confirm-errors"`}, nil},
		{"other prefix", []option{withPage, withPrefix("/auth")}, "/reset-password/" + goodLink, nil,
			[]string{`data-endpoint="/auth/reset-password/"`}, nil},
		{"German", []option{withPage}, "/reset-password/" + goodLink, []string{"Accept-Language", "fr;q=0.5, de-CH, en;q=0.8"},
			[]string{`<html lang="de">`, "<title>Passwort zurücksetzen</title>", "Passwort anzeigen"}, []string{"Show password"}},
		{"unsupported language", []option{withPage}, "/reset-password/" + goodLink, []string{"Accept-Language", "it, ja"},
			[]string{`<html lang="en">`}, nil},
		{"malformed Accept-Language", []option{withPage}, "/reset-password/" + goodLink, []string{"Accept-Language", "d;e;;q=x,,"},
			[]string{`<html lang="en">`}, nil},
		{"default language", []option{withPageConfig(pwhttp.PageConfig{DefaultLanguage: "es"})}, "/reset-password/" + goodLink, nil,
			[]string{`<html lang="es">`, "Mostrar la contraseña"}, nil},
		{"title and product", []option{withPageConfig(pwhttp.PageConfig{Title: "New <b>password</b>", ProductName: "Acme & Co"})},
			"/reset-password/" + goodLink, []string{"Accept-Language", "fr"},
			[]string{"<title>New &lt;b&gt;password&lt;/b&gt; · Acme &amp; Co</title>", `<p class="product">Acme &amp; Co</p>`, `lang="fr"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newFixture(t, tt.opts...).do("GET", tt.path, "", "", tt.headers...)
			page := rec.Body.String()
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("page %d %s", rec.Code, rec.Header().Get("Content-Type"))
			}
			for _, s := range tt.want {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %s", s)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(page, s) {
					t.Errorf("page has %s", s)
				}
			}
			lang := regexp.MustCompile(`<html lang="(\w+)">`).FindStringSubmatch(page)
			if lang == nil || rec.Header().Get("Content-Language") != lang[1] || !strings.Contains(rec.Header().Get("Vary"), "Accept-Language") {
				t.Errorf("Content-Language %q, Vary %q", rec.Header().Get("Content-Language"), rec.Header().Get("Vary"))
			}
		})
	}
	t.Run("API still answers POST at the same path", func(t *testing.T) {
		rec := newFixture(t, withPage, withPrefix("/")).post("/reset-password/", `{}`)
		if rec.Code != 400 {
			t.Errorf("status %d", rec.Code)
		}
	})
	t.Run("path of the links", func(t *testing.T) {
		// The API document describes the page at its default path; this one is a team's own.
		api := pwhttp.New(pwhttp.Config{Page: pwhttp.PageConfig{Enabled: true, Path: "/account/new-password"}},
			nil, nil, nil, nil, nil)
		for _, path := range []string{"/account/new-password/", "/account/new-password"} {
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, httptest.NewRequest("GET", path+goodLink, nil))
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `name="password"`) {
				t.Errorf("GET %s: %d", path, rec.Code)
			}
		}
	})
	t.Run("off unless enabled", func(t *testing.T) {
		if rec := newFixture(t).do("GET", "/reset-password/"+goodLink, "", ""); rec.Code != 404 {
			t.Errorf("status %d", rec.Code)
		}
	})
}

// TestResetPageHeaders: a strict CSP whose nonce, fresh for every answer, is the only
// way a script or style runs; no referrer; nothing cached.
func TestResetPageHeaders(t *testing.T) {
	f := newFixture(t, withPage)
	nonces := map[string]bool{}
	for range 2 {
		rec := f.do("GET", "/reset-password/"+goodLink, "", "")
		csp := rec.Header().Get("Content-Security-Policy")
		m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9]+)'; style-src 'nonce-([A-Za-z0-9]+)';`).FindStringSubmatch(csp)
		if m == nil || m[1] != m[2] || !strings.HasPrefix(csp, "default-src 'none';") || strings.Contains(csp, "unsafe") ||
			!strings.Contains(csp, "form-action 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("CSP %q", csp)
		}
		nonces[m[1]] = true
		page := rec.Body.String()
		scripts := regexp.MustCompile(`<(script|style)[^>]*>`).FindAllString(page, -1)
		for _, s := range scripts {
			if !strings.Contains(s, `nonce="`+m[1]+`"`) {
				t.Errorf("%s runs without the nonce", s)
			}
		}
		if len(scripts) != 2 || regexp.MustCompile(`(src|href)="https?:`).MatchString(page) {
			t.Errorf("scripts and styles %q, or an external asset", scripts)
		}
		if rec.Header().Get("Referrer-Policy") != "no-referrer" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v", rec.Header())
		}
	}
	if len(nonces) != 2 {
		t.Error("two answers shared a nonce")
	}
}

// TestIncompleteLink: a page whose URL lacks a value, or carries one the API could
// never accept, says the link is incomplete and shows no form; and nothing the URL
// carries is written into the page.
func TestIncompleteLink(t *testing.T) {
	for name, query := range map[string]string{
		"no query":            "",
		"no signature":        "?user_id=1&timestamp=1700000000",
		"empty user_id":       "?user_id=&timestamp=1700000000&signature=abc",
		"timestamp not a num": "?user_id=1&timestamp=17e8&signature=abc",
		"signature with html": "?user_id=1&timestamp=1700000000&signature=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
		"control character":   "?user_id=1%00&timestamp=1700000000&signature=abc",
		"user_id too long":    "?user_id=" + strings.Repeat("9", 300) + "&timestamp=1&signature=abc",
	} {
		t.Run(name, func(t *testing.T) {
			rec := newFixture(t, withPage).do("GET", "/reset-password/"+query, "", "", "Accept-Language", "es")
			page := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(page, "Este enlace está incompleto.") || strings.Contains(page, "<form") ||
				strings.Contains(page, "<input") {
				t.Fatalf("%d %s", rec.Code, page)
			}
			if strings.Contains(page, "onerror") || strings.Contains(page, "999999999") {
				t.Error("the page shows a value of the URL")
			}
		})
	}
	t.Run("values never rendered, even when well-formed", func(t *testing.T) {
		page := newFixture(t, withPage).do("GET", "/reset-password/?user_id=%3Cb%3Ebold&timestamp=1&signature=abc", "", "").Body.String()
		if !strings.Contains(page, "<form") || strings.Contains(page, "bold") {
			t.Errorf("page %s", page)
		}
	})
}

func TestCustomPageTemplate(t *testing.T) {
	tpl := `<html lang="{{.Lang}}"><p>{{.T.Password}} {{if .LinkOK}}ok{{else}}{{.T.Incomplete}}{{end}}</p><script nonce="{{.Nonce}}">{{.Script}}</script>`
	f := newFixture(t, withPageConfig(pwhttp.PageConfig{Template: tpl}))
	page := f.do("GET", "/reset-password/"+goodLink, "", "", "Accept-Language", "de").Body.String()
	if !strings.HasPrefix(page, `<html lang="de"><p>Neues Passwort ok</p><script nonce="`) || !strings.Contains(page, `getElementById("reset-form")`) {
		t.Errorf("page %s", page)
	}
	for _, broken := range []string{"{{.Lang", "{{.NoSuchField}}", "{{template \"x\"}}"} {
		if _, err := pwhttp.ParsePageTemplate(broken); err == nil {
			t.Errorf("ParsePageTemplate(%q) accepted it", broken)
		}
	}
	if _, err := pwhttp.ParsePageTemplate(""); err != nil {
		t.Errorf("the embedded template: %v", err)
	}
}

// TestPageTextIsComplete: the page has every word in every language the e-mails have.
func TestPageTextIsComplete(t *testing.T) {
	for _, lang := range reset.Languages {
		rec := newFixture(t, withPage).do("GET", "/reset-password/"+goodLink, "", "", "Accept-Language", lang)
		if !strings.Contains(rec.Body.String(), `<html lang="`+lang+`">`) {
			t.Errorf("no page in %s", lang)
		}
	}
	pwhttp.EachPageText(func(lang string, text any) {
		if !reset.Supported(lang) {
			t.Errorf("page text in %s, which the e-mails lack", lang)
		}
		v := reflect.ValueOf(text)
		for i := range v.NumField() {
			if v.Field(i).String() == "" {
				t.Errorf("%s: %s is missing", lang, v.Type().Field(i).Name)
			}
		}
	})
}

// TestPageTranslatesEveryMessage: each language but English translates the same
// messages of the API, and the page carries its language's translations.
func TestPageTranslatesEveryMessage(t *testing.T) {
	type messages struct {
		Exact                    map[string]string
		Short, ShortOne, Similar string
		Fields                   map[string]string
	}
	var german messages
	if err := json.Unmarshal([]byte(pwhttp.PageMessages("de")), &german); err != nil || len(german.Exact) == 0 {
		t.Fatalf("German: %v", err)
	}
	for _, lang := range reset.Languages[1:] {
		var m messages
		if err := json.Unmarshal([]byte(pwhttp.PageMessages(lang)), &m); err != nil {
			t.Fatal(err)
		}
		for english := range german.Exact {
			if m.Exact[english] == "" {
				t.Errorf("%s lacks %q", lang, english)
			}
		}
		if !strings.Contains(m.Short, "%d") || !strings.Contains(m.ShortOne, "%d") || !strings.Contains(m.Similar, "%s") ||
			m.Fields["username"] == "" || m.Fields["email address"] == "" {
			t.Errorf("%s: %+v", lang, m)
		}
	}
	page := newFixture(t, withPage).do("GET", "/reset-password/"+goodLink, "", "", "Accept-Language", "fr").Body.String()
	if !strings.Contains(page, `data-messages="{&#34;exact&#34;:{`) || !strings.Contains(page, "Ce mot de passe est trop courant.") {
		t.Errorf("no French translations in the page")
	}
}

// TestEmailLanguageFromRequest: Accept-Language travels from the API to the e-mails;
// the API's own answers stay in English.
func TestEmailLanguageFromRequest(t *testing.T) {
	f := newFixture(t, func(s *setup) { s.reset.ChangedNotification = true })
	rec := f.do(http.MethodPost, sendPath, jsonType, `{"login":"alice"}`, "Accept-Language", "de-DE,de;q=0.9")
	sent := f.mailer.Sent()
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Reset link sent") || len(sent) != 1 ||
		sent[0].Subject != "Passwort für pwreset zurücksetzen" {
		t.Fatalf("%d %s, sent %+v", rec.Code, rec.Body, sent)
	}
	l := f.requestLink("alice")
	weak := f.do(http.MethodPost, resetPath, jsonType, l.body("abc", nil), "Accept-Language", "fr")
	if weak.Code != 400 || !strings.Contains(weak.Body.String(), "This password is too short.") {
		t.Fatalf("weak password: %d %s", weak.Code, weak.Body)
	}
	rec = f.do(http.MethodPost, resetPath, jsonType, l.body(newPassword, nil), "Accept-Language", "fr")
	// The notice is released in the outbox, due at once, for the dispatcher to send,
	// behind the links queued there.
	notice, err := f.box.Claim(context.Background(), "test", f.clock.Now(), time.Minute)
	for err == nil && notice.Message.Kind == reset.KindResetLink {
		notice, err = f.box.Claim(context.Background(), "test", f.clock.Now(), time.Minute)
	}
	if rec.Code != 200 || err != nil || notice.Message.Subject != "Votre mot de passe pwreset a été modifié" {
		t.Fatalf("%d %s, notice due %+v, %v", rec.Code, rec.Body, notice.Message, err)
	}
}
