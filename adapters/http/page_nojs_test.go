package http_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
)

// errInternal is a store's failure that is no outage.
var errInternal = errors.New("mongo at 10.0.0.7 refused: auth failed")

// TestNoScriptReset: without script, the page's form posts to pwreset, which sets
// the password and answers with the page: its title and heading say so, the sign-in
// link shows, and neither the password nor the signature is in the answer or a log.
func TestNoScriptReset(t *testing.T) {
	const signIn = "https://app.example/login?next=%2F"
	f := newFixture(t, withPageConfig(pwhttp.PageConfig{SignInURL: signIn, ProductName: "Acme"}), withConfirm)
	l := f.requestLink("alice")
	p := f.submit(f.open(pageURL(l), "Accept-Language", "fr"), "reset-form",
		map[string]string{"password": newPassword, "password_confirm": newPassword})
	if p.rec.Code != 200 || f.hash("1") != hashOf(newPassword) {
		t.Fatalf("reset without script: %d, hash %s; %s", p.rec.Code, f.hash("1"), p.rec.Body)
	}
	if p.title() != "Mot de passe modifié · Acme" || p.text("heading") != "Mot de passe modifié" ||
		p.text("status") != "Votre mot de passe a été modifié. Vous pouvez maintenant vous connecter avec ce nouveau mot de passe." {
		t.Errorf("title %q, heading %q, status %q", p.title(), p.text("heading"), p.text("status"))
	}
	a := p.byID("sign-in").FirstChild
	if href, _ := attr(a, "href"); !p.shown("sign-in") || href != signIn || textOf(a) != "Se connecter" {
		t.Errorf("sign-in link %q %q shown %v", href, textOf(a), p.shown("sign-in"))
	}
	if p.byID("reset-form") != nil || p.shown("link-form") {
		t.Error("a form is still shown after success")
	}
	if strings.Contains(p.rec.Body.String(), l.Signature) || strings.Contains(f.logs.String(), l.Signature) ||
		strings.Contains(f.logs.String(), newPassword) {
		t.Errorf("the signature or the password is in the answer or the logs: %s", f.logs)
	}
	t.Run("no sign-in link unless configured", func(t *testing.T) {
		f := newFixture(t, withPage)
		p := f.submit(f.open(pageURL(f.requestLink("alice"))), "reset-form", map[string]string{"password": newPassword})
		if p.rec.Code != 200 || p.byID("sign-in") != nil {
			t.Errorf("%d %s", p.rec.Code, p.rec.Body)
		}
	})
	t.Run("a 5,000-character password, as the API takes it", func(t *testing.T) {
		f := newFixture(t, withPage)
		long := strings.Repeat("Lantern-42 ", 455)[:5000]
		p := f.submit(f.open(pageURL(f.requestLink("alice"))), "reset-form", map[string]string{"password": long})
		if p.rec.Code != 200 || f.hash("1") != hashOf(long) {
			t.Errorf("%d %q", p.rec.Code, p.text("form-errors"))
		}
	})
	t.Run("the link is spent", func(t *testing.T) {
		again := f.submit(f.open(pageURL(l)), "reset-form", map[string]string{"password": newPassword + "x"})
		if again.rec.Code != 400 || f.hash("1") != hashOf(newPassword) {
			t.Errorf("a spent link reset again: %d", again.rec.Code)
		}
	})
}

// TestNoScriptPolicyError: a refused password answers 400 with the page: the
// policy's messages beside the field, translated, focus on it, "Error" in the title,
// and a form that still carries the link, so that the next try works.
func TestNoScriptPolicyError(t *testing.T) {
	f := newFixture(t, withPage, withConfirm)
	l := f.requestLink("alice")
	p := f.submit(f.open(pageURL(l), "Accept-Language", "de"), "reset-form",
		map[string]string{"password": "alice123", "password_confirm": "alice12"})
	if p.rec.Code != 400 || f.hash("1") != hashOf(oldPassword) {
		t.Fatalf("weak password: %d, hash %s", p.rec.Code, f.hash("1"))
	}
	wantPassword := "Das Passwort ist dem Benutzernamen zu ähnlich. Dieses Passwort ist zu üblich."
	if got := p.text("password-errors"); got != wantPassword {
		t.Errorf("password errors %q, want %q", got, wantPassword)
	}
	if got := p.text("password_confirm-errors"); got != "Die Passwörter stimmen nicht überein." {
		t.Errorf("confirmation errors %q", got)
	}
	pw := p.byID("password")
	if _, focus := attr(pw, "autofocus"); !focus || p.title() != "Fehler: Passwort zurücksetzen" || p.text("heading") != "Passwort zurücksetzen" {
		t.Errorf("autofocus %v, title %q, heading %q", focus, p.title(), p.text("heading"))
	}
	if v, _ := attr(pw, "value"); v != "" || strings.Contains(p.rec.Body.String(), "alice12") {
		t.Error("the refused password is written back into the page")
	}
	if _, focus := attr(p.byID("password_confirm"), "autofocus"); focus {
		t.Error("two fields ask for the focus")
	}
	if v, _ := attr(p.byID("username"), "value"); v != "alice" {
		t.Errorf("username %q after the error", v)
	}
	p = f.submit(p, "reset-form", map[string]string{"password": newPassword, "password_confirm": newPassword})
	if p.rec.Code != 200 || f.hash("1") != hashOf(newPassword) {
		t.Errorf("the form shown with the errors did not reset: %d %s", p.rec.Code, p.rec.Body)
	}
}

// TestNoScriptBadLink: a link that expired while the page was open answers with the
// page that says so and offers the form for a new link, which works without script
// too: by login or by e-mail address, with the API's answers in words.
func TestNoScriptBadLink(t *testing.T) {
	f := newFixture(t, withPage)
	l := f.requestLink("alice")
	form := f.open(pageURL(l), "Accept-Language", "es")
	f.clock.Add(period + time.Second)
	p := f.submit(form, "reset-form", map[string]string{"password": newPassword})
	if p.rec.Code != 400 || p.title() != "Error: Este enlace ha caducado" || p.text("heading") != "Este enlace ha caducado" ||
		p.text("form-errors") != "Este enlace ha caducado. Solicite un enlace nuevo a continuación." ||
		p.byID("reset-form") != nil || !p.shown("link-form") || f.hash("1") != hashOf(oldPassword) {
		t.Fatalf("expired link: %d %q %q\n%s", p.rec.Code, p.title(), p.text("form-errors"), p.rec.Body)
	}
	sent := len(f.mailer.Sent())
	p = f.submit(p, "link-form", map[string]string{"login": "alice"})
	if p.rec.Code != 200 || p.title() != "Revise su correo electrónico" || len(f.mailer.Sent()) != sent+1 ||
		p.text("status") != "Le hemos enviado un enlace nuevo. Revise su correo electrónico." || p.shown("link-form") {
		t.Errorf("new link: %d %q %q", p.rec.Code, p.title(), p.text("status"))
	}
	p = f.submit(p, "link-form", map[string]string{"login": "nobody"})
	if p.rec.Code != 400 || p.text("form-errors") != "No hay ninguna cuenta con ese nombre de usuario o esa dirección de correo electrónico." {
		t.Errorf("unknown user: %d %q %q", p.rec.Code, p.text("form-errors"), p.text("login-errors"))
	}
	p = f.submit(p, "link-form", map[string]string{"login": " "})
	if _, focus := attr(p.byID("login"), "autofocus"); p.rec.Code != 400 || p.text("login-errors") != "Este campo no puede estar en blanco." || !focus {
		t.Errorf("blank login: %d %q", p.rec.Code, p.text("login-errors"))
	}
	t.Run("by e-mail address, not telling who exists", func(t *testing.T) {
		f := newFixture(t, withPage, byEmail, hidingUnknown)
		p := f.open(pagePath)
		if in := p.byID("login"); in == nil || func() string { v, _ := attr(in, "name"); return v }() != "email" {
			t.Fatal("the form does not ask for the e-mail address")
		}
		for _, email := range []string{"alice@example.com", "nobody@example.com"} {
			got := f.submit(p, "link-form", map[string]string{"email": email})
			if got.rec.Code != 200 || got.text("status") != "If an account matches, we’ve sent a new link to its e-mail address. Check your e-mail." {
				t.Errorf("%s: %d %q", email, got.rec.Code, got.text("status"))
			}
		}
		if n := len(f.mailer.Sent()); n != 1 {
			t.Errorf("%d mails, want 1", n)
		}
	})
	t.Run("tampered hidden fields", func(t *testing.T) {
		f := newFixture(t, withPage)
		form := f.open(pageURL(f.requestLink("alice")))
		p := f.submit(form, "reset-form", map[string]string{"password": newPassword, "timestamp": "<b>"})
		if p.rec.Code != 400 || p.title() != "Error: This link is incomplete" || strings.Contains(p.rec.Body.String(), "<b>") {
			t.Errorf("%d %q", p.rec.Code, p.title())
		}
	})
}

// TestNoScriptCrossSite: a form posted from another site is refused (403) and
// changes nothing; the page's own origin, the links' origin and clients that are no
// browser (no Fetch Metadata, no Origin) are let through.
func TestNoScriptCrossSite(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		ok      bool
	}{
		{"same origin", nil, true},
		{"typed or bookmarked", []string{"Sec-Fetch-Site", "none"}, true},
		{"another site", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, false},
		{"a sibling subdomain", []string{"Sec-Fetch-Site", "same-site", "Origin", "https://evil.front.example"}, false},
		{"old browser, other origin", []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}, false},
		{"old browser, the links' origin behind a proxy", []string{"Sec-Fetch-Site", "", "Origin", "https://pwreset.example"}, true},
		{"no browser", []string{"Sec-Fetch-Site", "", "Origin", ""}, true},
	}
	for _, tt := range tests {
		for _, form := range []string{"reset-form", "link-form"} {
			t.Run(tt.name+" "+form, func(t *testing.T) {
				f := newFixture(t, withPageConfig(pwhttp.PageConfig{Origin: "https://pwreset.example"}))
				l := f.requestLink("alice")
				page := f.open(pageURL(l), "Accept-Language", "de")
				sent := len(f.mailer.Sent())
				p := f.submit(page, form, map[string]string{"password": newPassword, "login": "alice"}, tt.headers...)
				changed := f.hash("1") == hashOf(newPassword) || len(f.mailer.Sent()) > sent
				if tt.ok {
					if p.rec.Code != 200 || !changed {
						t.Errorf("refused: %d %s", p.rec.Code, p.text("form-errors"))
					}
					return
				}
				if p.rec.Code != 403 || changed || p.title() != "Fehler: Passwort zurücksetzen" ||
					p.text("form-errors") != "Dieses Formular wurde von einer anderen Website abgeschickt und deshalb nicht angenommen. Öffnen Sie den Link in der E-Mail erneut." ||
					p.byID("reset-form") != nil || p.shown("link-form") {
					t.Errorf("not refused: %d, changed %v, %q", p.rec.Code, changed, p.text("form-errors"))
				}
			})
		}
	}
}

// TestNoScriptLimitsAndOutages: the forms without script count against the API's
// rates (the same key), and answer 429 and 503 as it does, with Retry-After and the
// message in the page's language; a 500 says nothing of its cause.
func TestNoScriptLimitsAndOutages(t *testing.T) {
	throttled := map[string]string{
		"en": "Too many attempts. Try again in 3600 seconds.",
		"de": "Zu viele Versuche. Versuchen Sie es in 3600 Sekunden noch einmal.",
		"fr": "Trop de tentatives. Réessayez dans 3600 secondes.",
		"es": "Demasiados intentos. Vuelva a intentarlo dentro de 3600 segundos.",
	}
	unavailable := map[string]string{
		"en": "The service is unavailable for a moment. Try again in a few seconds.",
		"de": "Der Dienst ist gerade nicht erreichbar. Versuchen Sie es in ein paar Sekunden noch einmal.",
		"fr": "Le service est momentanément indisponible. Réessayez dans quelques secondes.",
		"es": "El servicio no está disponible en este momento. Vuelva a intentarlo en unos segundos.",
	}
	for lang, want := range throttled {
		t.Run("429 "+lang, func(t *testing.T) {
			f := newFixture(t, withPage, withRates(pwhttp.Rate{}, pwhttp.Rate{Count: 1, Window: time.Hour}))
			l := f.requestLink("alice")
			form := f.open(pageURL(l), "Accept-Language", lang)
			if rec := f.post(resetPath, `{}`); rec.Code != 400 { // the API's request uses the client's one
				t.Fatalf("API: %d", rec.Code)
			}
			p := f.submit(form, "reset-form", map[string]string{"password": newPassword})
			if p.rec.Code != 429 || p.rec.Header().Get("Retry-After") != "3600" || p.text("form-errors") != want ||
				!p.shown("reset-form") || f.hash("1") != hashOf(oldPassword) {
				t.Errorf("%d, Retry-After %q, %q", p.rec.Code, p.rec.Header().Get("Retry-After"), p.text("form-errors"))
			}
		})
		t.Run("503 "+lang, func(t *testing.T) {
			f := newFixture(t, withPage)
			l := f.requestLink("alice")
			down := newFixture(t, withPage, withStore(brokenStore{unavailableErr}))
			p := down.submit(down.open(pageURL(l), "Accept-Language", lang), "reset-form", map[string]string{"password": newPassword})
			if p.rec.Code != 503 || p.rec.Header().Get("Retry-After") != "5" || p.text("form-errors") != unavailable[lang] {
				t.Errorf("%d, Retry-After %q, %q", p.rec.Code, p.rec.Header().Get("Retry-After"), p.text("form-errors"))
			}
			p = down.submit(down.open(pagePath, "Accept-Language", lang), "link-form", map[string]string{"login": "alice"})
			if p.rec.Code != 503 || p.text("form-errors") != unavailable[lang] {
				t.Errorf("new link: %d %q", p.rec.Code, p.text("form-errors"))
			}
		})
	}
	t.Run("500", func(t *testing.T) {
		f := newFixture(t, withPage)
		l := f.requestLink("alice")
		broken := newFixture(t, withPage, withStore(brokenStore{errInternal}))
		p := broken.submit(broken.open(pageURL(l), "Accept-Language", "fr"), "reset-form", map[string]string{"password": newPassword})
		if p.rec.Code != 500 || p.text("form-errors") != "Une erreur s’est produite de notre côté. Réessayez dans un instant." ||
			strings.Contains(p.rec.Body.String(), "10.0.0.7") || !strings.Contains(broken.logs.String(), `"status":500`) {
			t.Errorf("%d %q", p.rec.Code, p.text("form-errors"))
		}
	})
}
