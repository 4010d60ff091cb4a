package http_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/domain/reset"
)

func withPageConfig(pc pwhttp.PageConfig) option {
	return func(s *setup) { pc.Enabled = true; s.http.Page = pc }
}

// TestResetPage: a good link shows the form for the new password, in the browser's
// language, with the requirements up front, the account's login for password
// managers, the link's values in hidden fields for the form posted without script,
// and no autocorrection of a shown password.
func TestResetPage(t *testing.T) {
	tests := []struct {
		name    string
		opts    []option
		path    string // where the page is, "" for pagePath
		headers []string
		want    []string
		notWant []string
	}{
		{"page", []option{withPage}, "", nil,
			[]string{`<html lang="en">`, `data-endpoint="/api/v1/accounts/reset-password/"`, `<label for="password">New password</label>`,
				`method="post" action="/reset-password/new-password"`, `aria-live="polite"`, `role="alert"`, `id="show-password"`,
				`name="viewport"`, `<meta name="color-scheme" content="light dark">`, `<title>Reset your password</title>`,
				`<input id="username" name="username" type="text" autocomplete="username" value="alice" readonly>`,
				`autocapitalize="off" autocorrect="off" spellcheck="false"`, `aria-describedby="requirements password-errors"`,
				"<li>have at least 8 characters</li>", `<div class="toggle" hidden>`},
			[]string{"password_confirm", "known data breaches", " autofocus"}},
		{"no slash", []option{withPage}, "/reset-password", nil, []string{`name="password"`}, nil},
		{"with confirmation", []option{withPage, withConfirm}, "", nil,
			[]string{`name="password_confirm"`, `aria-describedby="password_confirm-errors"`}, nil},
		{"other prefix", []option{withPage, withPrefix("/auth")}, "", nil,
			[]string{`data-endpoint="/auth/reset-password/"`, `data-endpoint="/auth/send-reset-password-link/"`}, nil},
		{"German", []option{withPage}, "", []string{"Accept-Language", "fr;q=0.5, de-CH, en;q=0.8"},
			[]string{`<html lang="de">`, "<title>Passwort zurücksetzen</title>", "Passwort anzeigen", "<li>mindestens 8 Zeichen</li>"},
			[]string{"Show password"}},
		{"unsupported language", []option{withPage}, "", []string{"Accept-Language", "it, ja"}, []string{`<html lang="en">`}, nil},
		{"malformed Accept-Language", []option{withPage}, "", []string{"Accept-Language", "d;e;;q=x,,"}, []string{`<html lang="en">`}, nil},
		{"default language", []option{withPageConfig(pwhttp.PageConfig{DefaultLanguage: "es"})}, "", nil,
			[]string{`<html lang="es">`, "Mostrar la contraseña"}, nil},
		{"title and product", []option{withPageConfig(pwhttp.PageConfig{Title: "New <b>password</b>", ProductName: "Acme & Co"})},
			"", []string{"Accept-Language", "fr"},
			[]string{"<title>New &lt;b&gt;password&lt;/b&gt; · Acme &amp; Co</title>", `<p class="product">Acme &amp; Co</p>`, `lang="fr"`,
				`<h1 id="heading" tabindex="-1">New &lt;b&gt;password&lt;/b&gt;</h1>`}, nil},
		{"requirements as configured", []option{withPageConfig(pwhttp.PageConfig{MinLength: 1, BreachCheck: true})}, "", nil,
			[]string{"<li>have at least 1 character</li>", "<li>not appear in known data breaches</li>"}, nil},
		{"path of the links", []option{withPageConfig(pwhttp.PageConfig{Path: "/account/new-password"})}, "/account/new-password/", nil,
			[]string{`action="/account/new-password/new-password"`, `action="/account/new-password/new-link"`}, nil},
		{"path of the links, no slash", []option{withPageConfig(pwhttp.PageConfig{Path: "/account/new-password"})}, "/account/new-password", nil,
			[]string{`name="password"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts...)
			l := f.requestLink("alice")
			path := pageURL(l)
			if tt.path != "" {
				path = tt.path + strings.TrimPrefix(path, pagePath)
			}
			rec := f.do("GET", path, "", "", tt.headers...)
			page := rec.Body.String()
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("page %d %s", rec.Code, rec.Header().Get("Content-Type"))
			}
			for _, s := range append(tt.want, `name="signature" value="`+l.Signature+`"`) {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %s", s)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(page, s) {
					t.Errorf("page has %s", s)
				}
			}
			p := parsePage(t, rec)
			if !p.shown("reset-form") || p.shown("link-form") || p.text("form-errors") != "" {
				t.Errorf("a good link shows the form for the new password and nothing else")
			}
			if rec.Header().Get("Content-Language") != p.lang() || !strings.Contains(rec.Header().Get("Vary"), "Accept-Language") {
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
	t.Run("off unless enabled", func(t *testing.T) {
		f := newFixture(t)
		for _, path := range []string{pagePath, pagePath + "new-password", pagePath + "new-link"} {
			if rec := f.do("GET", path, "", ""); rec.Code != 404 {
				t.Errorf("GET %s: status %d", path, rec.Code)
			}
		}
		for _, path := range []string{pagePath + "new-password", pagePath + "new-link"} {
			if rec := f.do("POST", path, formType, "login=alice"); rec.Code != 404 {
				t.Errorf("POST %s: status %d", path, rec.Code)
			}
		}
	})
}

// TestResetPageHeaders: a strict CSP whose nonce, fresh for every answer, is the only
// way a script or style runs, and forms post only to this host; no referrer; nothing
// cached.
func TestResetPageHeaders(t *testing.T) {
	f := newFixture(t, withPage)
	link := pageURL(f.requestLink("alice"))
	nonces := map[string]bool{}
	for _, path := range []string{link, link, pagePath} {
		rec := f.do("GET", path, "", "")
		csp := rec.Header().Get("Content-Security-Policy")
		m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9]+)'; style-src 'nonce-([A-Za-z0-9]+)';`).FindStringSubmatch(csp)
		if m == nil || m[1] != m[2] || !strings.HasPrefix(csp, "default-src 'none';") || strings.Contains(csp, "unsafe") ||
			!strings.Contains(csp, "form-action 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
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
		if len(scripts) != 2 || regexp.MustCompile(`(src|href)="https?:`).MatchString(page) || strings.Contains(page, " style=") {
			t.Errorf("scripts and styles %q, an inline style or an external asset", scripts)
		}
		if rec.Header().Get("Referrer-Policy") != "no-referrer" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v", rec.Header())
		}
	}
	if len(nonces) != 3 {
		t.Error("two answers shared a nonce")
	}
}

// TestIncompleteLink: a page whose URL lacks a value, or carries one the API could
// never accept, says the link is incomplete, shows no form for the password but the
// one that asks for a new link; and nothing the URL carries is written into the page.
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
			p := newFixture(t, withPage).open(pagePath+query, "Accept-Language", "es")
			page := p.rec.Body.String()
			if p.rec.Code != 200 || p.text("form-errors") != "Este enlace está incompleto. Vuelva a abrir el enlace del correo o copie su dirección completa en el navegador." ||
				p.title() != "Este enlace está incompleto" || p.byID("reset-form") != nil || !p.shown("link-form") {
				t.Fatalf("%d %s", p.rec.Code, page)
			}
			if strings.Contains(page, "onerror") || strings.Contains(page, "999999999") || strings.Contains(page, "1700000000") {
				t.Error("the page shows a value of the URL")
			}
		})
	}
}

// TestLinkCheckedOnLoad: a link that cannot be used says so when the page opens, in
// the browser's language, with its title and heading, and offers the form that asks
// for a new link instead of the one for the password; opening a good link, even a
// one-time one, uses nothing up.
func TestLinkCheckedOnLoad(t *testing.T) {
	type want struct{ title, message string }
	invalid := map[string]want{
		"en": {"This link can’t be used", "This link can’t be used any more: it may have been used already, or a newer link was sent since. Ask for a new link below."},
		"de": {"Dieser Link ist nicht mehr gültig", "Dieser Link kann nicht mehr verwendet werden: Vielleicht wurde er schon benutzt oder inzwischen ein neuerer verschickt. Fordern Sie unten einen neuen Link an."},
	}
	expired := map[string]want{
		"en": {"This link has expired", "This link has expired. Ask for a new link below."},
		"de": {"Dieser Link ist abgelaufen", "Dieser Link ist abgelaufen. Fordern Sie unten einen neuen Link an."},
	}
	tests := []struct {
		name string
		opts []option
		link func(f *fixture) resetLink
		want map[string]want
	}{
		{"tampered", nil, func(f *fixture) resetLink {
			l := f.requestLink("alice")
			l.Signature = flipLast(l.Signature)
			return l
		}, invalid},
		{"unknown user", nil, func(f *fixture) resetLink { l := f.requestLink("alice"); l.UserID = "99"; return l }, invalid},
		{"expired", nil, func(f *fixture) resetLink {
			l := f.requestLink("alice")
			f.clock.Add(period + time.Second)
			return l
		}, expired},
		{"superseded", []option{func(s *setup) { s.reset.InvalidateOlderLinks = true }}, func(f *fixture) resetLink {
			l := f.requestLink("alice")
			f.clock.Add(time.Minute)
			f.requestLink("alice")
			return l
		}, invalid},
		{"used", []option{oneTime}, func(f *fixture) resetLink {
			l := f.requestLink("alice")
			if rec := f.post(resetPath, l.body(newPassword, nil)); rec.Code != 200 {
				t.Fatalf("reset: %d %s", rec.Code, rec.Body)
			}
			return l
		}, invalid},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "de"} {
			t.Run(tt.name+" "+lang, func(t *testing.T) {
				f := newFixture(t, append([]option{withPage}, tt.opts...)...)
				p := f.open(pageURL(tt.link(f)), "Accept-Language", lang)
				w := tt.want[lang]
				if p.rec.Code != 200 || p.title() != w.title || p.text("heading") != w.title || p.text("form-errors") != w.message {
					t.Errorf("%d, title %q, heading %q, message %q; want %+v", p.rec.Code, p.title(), p.text("heading"), p.text("form-errors"), w)
				}
				if p.byID("reset-form") != nil || !p.shown("link-form") || p.lang() != lang {
					t.Errorf("a bad link shows the form that asks for a new one, not the other")
				}
			})
		}
	}
	t.Run("a one-time link is not used up by opening it", func(t *testing.T) {
		f := newFixture(t, withPage, oneTime)
		l := f.requestLink("alice")
		for range 3 {
			if p := f.open(pageURL(l)); !p.shown("reset-form") {
				t.Fatalf("a good one-time link opened again: %s", p.rec.Body)
			}
		}
		if rec := f.post(resetPath, l.body(newPassword, nil)); rec.Code != 200 || f.hash("1") != hashOf(newPassword) {
			t.Fatalf("reset after opening the page: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("no check possible: the form", func(t *testing.T) {
		// The store is down: the page cannot tell, shows the form, and its post will say.
		f := newFixture(t, withPage)
		l := f.requestLink("alice")
		down := newFixture(t, withPage, withStore(brokenStore{unavailableErr}))
		if p := down.open(pageURL(l)); p.rec.Code != 200 || !p.shown("reset-form") || p.text("form-errors") != "" {
			t.Errorf("store down: %d %s", p.rec.Code, p.rec.Body)
		}
		if !strings.Contains(down.logs.String(), "the reset page could not check its link") || strings.Contains(down.logs.String(), l.Signature) {
			t.Errorf("the failed check is not logged, or its signature is: %s", down.logs)
		}
	})
	t.Run("checks are counted apart", func(t *testing.T) {
		// Over the rate the page no longer checks (the form shows), and the API's
		// own count is untouched.
		f := newFixture(t, withPage, withRates(pwhttp.Rate{}, pwhttp.Rate{Count: 1, Window: time.Hour}))
		l := f.requestLink("alice")
		l.UserID = "99"
		if p := f.open(pageURL(l)); !p.shown("link-form") {
			t.Fatal("the first check did not run")
		}
		if p := f.open(pageURL(l)); !p.shown("reset-form") {
			t.Error("over the rate, the page still checked")
		}
		if rec := f.post(resetPath, l.body(newPassword, nil)); rec.Code != 400 {
			t.Errorf("the API's count was used by the page: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestCustomPageTemplate: a team's template sees the page's data; a broken one is
// refused.
func TestCustomPageTemplate(t *testing.T) {
	tpl := `<html lang="{{.Lang}}"><p>{{.T.Password}} {{if .LinkOK}}ok{{else}}{{.T.Incomplete}}{{end}}</p><script nonce="{{.Nonce}}">{{.Script}}</script>`
	f := newFixture(t, withPageConfig(pwhttp.PageConfig{Template: tpl}))
	page := f.do("GET", pageURL(f.requestLink("alice")), "", "", "Accept-Language", "de").Body.String()
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
	f := newFixture(t, withPage)
	link := pageURL(f.requestLink("alice"))
	for _, lang := range reset.Languages {
		if p := f.open(link, "Accept-Language", lang); p.lang() != lang {
			t.Errorf("no page in %s", lang)
		}
	}
	pwhttp.EachPageText(func(lang string, text any) {
		if !reset.Supported(lang) {
			t.Errorf("page text in %s, which the e-mails lack", lang)
		}
		for name, s := range fieldsOf(text) {
			if s == "" {
				t.Errorf("%s: %s is missing", lang, name)
			}
		}
	})
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
