package page

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

const (
	signInURL   = "https://app.example/login"
	newPassword = harness.NewPassword
	product     = "Acme"
)

// words are what the page says in one language, as a person reads it.
type words struct {
	lang, title, done, success, signIn           string
	weak                                         string // beside the field, for "abc"
	invalidTitle, invalid, expiredTitle, expired string
	sentTitle, sent                              string
	incompleteTitle, incomplete                  string
	throttled                                    *regexp.Regexp
	unavailable                                  string
}

var languages = []words{
	{"en", "Reset your password", "Password changed", "Your password has been changed. You can now sign in with it.", "Sign in",
		"This password is too short. It must contain at least 8 characters.",
		"This link can’t be used", "This link can’t be used any more: it may have been used already, or a newer link was sent since. Ask for a new link below.",
		"This link has expired", "This link has expired. Ask for a new link below.",
		"Check your e-mail", "We’ve sent you a new link. Check your e-mail.",
		"This link is incomplete", "This link is incomplete. Open the link in the e-mail again, or copy its whole address into your browser.",
		regexp.MustCompile(`^Too many attempts\. Try again in \d+ seconds\.$`),
		"The service is unavailable for a moment. Try again in a few seconds."},
	{"de", "Passwort zurücksetzen", "Passwort geändert", "Ihr Passwort wurde geändert. Sie können sich jetzt damit anmelden.", "Anmelden",
		"Dieses Passwort ist zu kurz. Es muss mindestens 8 Zeichen enthalten.",
		"Dieser Link ist nicht mehr gültig", "Dieser Link kann nicht mehr verwendet werden: Vielleicht wurde er schon benutzt oder inzwischen ein neuerer verschickt. Fordern Sie unten einen neuen Link an.",
		"Dieser Link ist abgelaufen", "Dieser Link ist abgelaufen. Fordern Sie unten einen neuen Link an.",
		"Neuer Link unterwegs", "Wir haben Ihnen einen neuen Link geschickt. Sehen Sie in Ihren E-Mails nach.",
		"Dieser Link ist unvollständig", "Dieser Link ist unvollständig. Öffnen Sie den Link in der E-Mail erneut oder kopieren Sie die vollständige Adresse in Ihren Browser.",
		regexp.MustCompile(`^Zu viele Versuche\. Versuchen Sie es in \d+ Sekunden noch einmal\.$`),
		"Der Dienst ist gerade nicht erreichbar. Versuchen Sie es in ein paar Sekunden noch einmal."},
	{"fr", "Réinitialiser votre mot de passe", "Mot de passe modifié",
		"Votre mot de passe a été modifié. Vous pouvez maintenant vous connecter avec ce nouveau mot de passe.", "Se connecter",
		"Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères.",
		"Ce lien n’est plus valable", "Ce lien ne peut plus être utilisé\u00a0: il a peut-être déjà servi, ou un lien plus récent a été envoyé depuis. Demandez un nouveau lien ci-dessous.",
		"Ce lien a expiré", "Ce lien a expiré. Demandez un nouveau lien ci-dessous.",
		"Consultez votre messagerie", "Nous vous avons envoyé un nouveau lien. Consultez votre messagerie.",
		"Ce lien est incomplet", "Ce lien est incomplet. Ouvrez à nouveau le lien de l’e-mail ou copiez son adresse complète dans votre navigateur.",
		regexp.MustCompile(`^Trop de tentatives\. Réessayez dans \d+ secondes\.$`),
		"Le service est momentanément indisponible. Réessayez dans quelques secondes."},
	{"es", "Restablecer su contraseña", "Contraseña cambiada", "Su contraseña ha sido cambiada. Ya puede iniciar sesión con ella.", "Iniciar sesión",
		"Esta contraseña es demasiado corta. Debe contener al menos 8 caracteres.",
		"Este enlace ya no es válido", "Este enlace ya no se puede usar: quizá ya se utilizó o se envió otro más reciente. Solicite un enlace nuevo a continuación.",
		"Este enlace ha caducado", "Este enlace ha caducado. Solicite un enlace nuevo a continuación.",
		"Revise su correo electrónico", "Le hemos enviado un enlace nuevo. Revise su correo electrónico.",
		"Este enlace está incompleto", "Este enlace está incompleto. Vuelva a abrir el enlace del correo o copie su dirección completa en el navegador.",
		regexp.MustCompile(`^Demasiados intentos\. Vuelva a intentarlo dentro de \d+ segundos\.$`),
		"El servicio no está disponible en este momento. Vuelva a intentarlo en unos segundos."},
}

// titled is the window's title of a state's heading.
func titled(heading string) string { return heading + " · " + product }

// TestPageInBrowser drives headless Chromium through every state of the hosted
// page of the built binary, with JavaScript on and off, in each language, checking
// what it says and running axe-core on each state.
func TestPageInBrowser(t *testing.T) {
	browser := harness.NewBrowser(t, harness.FindChromium(t))
	_, origin := serve(t, "HOSTED_RESET_PAGE_SIGN_IN_URL="+signInURL, "HOSTED_RESET_PAGE_PRODUCT_NAME="+product)
	for _, w := range languages {
		t.Run(w.lang+" with JavaScript", func(t *testing.T) {
			ctx := openTab(t, browser, tabOptions{lang: w.lang})
			withScript(t, ctx, origin, w)
		})
		t.Run(w.lang+" without JavaScript", func(t *testing.T) {
			ctx := openTab(t, browser, tabOptions{lang: w.lang, noScript: true})
			withoutScript(t, ctx, origin, w)
		})
		t.Run(w.lang+" links that cannot be used", func(t *testing.T) {
			for _, noScript := range []bool{false, true} {
				ctx := openTab(t, browser, tabOptions{lang: w.lang, noScript: noScript})
				badLinks(t, ctx, origin, w, noScript)
			}
		})
	}
}

// withScript: a weak password, then a good one, through the API.
func withScript(t *testing.T, ctx context.Context, origin string, w words) {
	harness.Do(t, ctx, "open the link", chromedp.Navigate(pageFor(origin, demoUser, time.Now())), chromedp.WaitVisible(chromedp.ID("password")))
	s := state(t, ctx)
	if s.Title != titled(w.title) || s.Heading != w.title || !s.ResetForm || s.LinkForm || s.SignIn || s.Errors != "" {
		t.Fatalf("form: %s", s)
	}
	if got := js[string](t, ctx, `document.getElementById("username").value`); got != "demo" {
		t.Errorf("username for password managers %q", got)
	}
	checkAccessibility(t, ctx, w.lang+" form")
	harness.Do(t, ctx, "submit a weak password from the keyboard",
		chromedp.SendKeys(chromedp.ID("password"), "abc\r"), chromedp.WaitVisible(chromedp.CSS("#password-errors > *")))
	if beside := read(t, ctx, chromedp.Text(chromedp.ID("password-errors"))); !strings.Contains(beside, w.weak) {
		t.Errorf("beside the field %q, want %q", beside, w.weak)
	}
	if focused := js[string](t, ctx, `document.activeElement.id`); focused != "password" {
		t.Errorf("focus on %q after the refusal", focused)
	}
	checkAccessibility(t, ctx, w.lang+" weak password")
	harness.Screenshot(t, ctx, "page-"+w.lang+"-weak.png", w.lang == "en")
	harness.Do(t, ctx, "show and submit a good password",
		chromedp.Click(chromedp.ID("show-password")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("password").value = ""`),
		chromedp.SendKeys(chromedp.ID("password"), newPassword+"\r"), chromedp.WaitVisible(chromedp.CSS("#status.ok")))
	s = state(t, ctx)
	href := js[string](t, ctx, `document.querySelector("#sign-in a").href`)
	if s.Title != titled(w.done) || s.Heading != w.done || s.Status != w.success || s.ResetForm || !s.SignIn || href != signInURL {
		t.Errorf("success: %s, sign-in link %q", s, href)
	}
	if q := js[string](t, ctx, `location.search`); q != "" {
		t.Errorf("the spent link stays in the address: %q", q)
	}
	checkAccessibility(t, ctx, w.lang+" success")
	harness.Screenshot(t, ctx, "page-"+w.lang+"-success.png", false)
}

// withoutScript: the same with JavaScript off: the forms post to pwreset.
func withoutScript(t *testing.T, ctx context.Context, origin string, w words) {
	harness.Do(t, ctx, "open the link", chromedp.Navigate(pageFor(origin, demoUser, time.Now())), chromedp.WaitVisible(chromedp.ID("password")))
	if toggle := js[bool](t, ctx, `document.getElementById("show-password").getClientRects().length > 0`); toggle {
		t.Error("the show-password toggle, which needs the script, is shown")
	}
	checkAccessibility(t, ctx, w.lang+" form without script")
	harness.Do(t, ctx, "submit a weak password",
		chromedp.SendKeys(chromedp.ID("password"), "abc\r"), chromedp.WaitVisible(chromedp.CSS("#password-errors > *")))
	s := state(t, ctx)
	beside := read(t, ctx, chromedp.Text(chromedp.ID("password-errors")))
	focused := js[string](t, ctx, `document.activeElement.id`)
	if !strings.Contains(beside, w.weak) || focused != "password" || !strings.HasSuffix(s.Title, titled(w.title)) || s.Title == titled(w.title) {
		t.Errorf("refusal without script: %s, beside %q, focus %q", s, beside, focused)
	}
	if loc := js[string](t, ctx, `location.href`); strings.Contains(loc, "signature") || strings.Contains(loc, "abc") {
		t.Errorf("a secret in the address: %s", loc)
	}
	checkAccessibility(t, ctx, w.lang+" weak password without script")
	harness.Screenshot(t, ctx, "page-"+w.lang+"-noscript-weak.png", false)
	harness.Do(t, ctx, "submit a good password", chromedp.SendKeys(chromedp.ID("password"), newPassword+"\r"),
		chromedp.WaitVisible(chromedp.ID("sign-in")))
	s = state(t, ctx)
	if s.Title != titled(w.done) || s.Heading != w.done || s.Status != w.success || s.ResetForm || !s.SignIn {
		t.Errorf("success without script: %s", s)
	}
	if a := read(t, ctx, chromedp.Text(chromedp.CSS("#sign-in a"))); a != w.signIn {
		t.Errorf("sign-in link %q", a)
	}
	checkAccessibility(t, ctx, w.lang+" success without script")
}

// badLinks: a tampered and an expired link say so on load, and the form they offer
// sends a new link.
func badLinks(t *testing.T, ctx context.Context, origin string, w words, noScript bool) {
	how := map[bool]string{true: " without script", false: " with script"}[noScript]
	for _, c := range []struct{ name, url, title, message string }{
		{"tampered", tamper(t, pageFor(origin, demoUser, time.Now())), w.invalidTitle, w.invalid},
		{"expired", pageFor(origin, demoUser, time.Now().Add(-48*time.Hour)), w.expiredTitle, w.expired},
		{"incomplete", origin + "/reset-password/?user_id=1", w.incompleteTitle, w.incomplete},
	} {
		harness.Do(t, ctx, "open the "+c.name+" link", chromedp.Navigate(c.url), chromedp.WaitVisible(chromedp.ID("link-form")))
		s := state(t, ctx)
		if s.Title != titled(c.title) || s.Heading != c.title || s.Errors != c.message || s.ResetForm || !s.LinkForm {
			t.Errorf("%s link%s: %s", c.name, how, s)
		}
		checkAccessibility(t, ctx, w.lang+" "+c.name+" link"+how)
		harness.Screenshot(t, ctx, "page-"+w.lang+"-"+c.name+strings.ReplaceAll(how, " ", "-")+".png", false)
	}
	if !noScript {
		// A link that goes bad while the page is open: the script hears it from the
		// API and offers the form for a new link in place.
		harness.Do(t, ctx, "submit a link gone bad", chromedp.Navigate(pageFor(origin, demoUser, time.Now())),
			chromedp.SetValue(chromedp.CSS(`input[name=signature]`), "forged"),
			chromedp.SendKeys(chromedp.ID("password"), newPassword+"\r"), chromedp.WaitVisible(chromedp.ID("link-form")))
		if s := state(t, ctx); s.Title != titled(w.invalidTitle) || s.Heading != w.invalidTitle || s.Errors != w.invalid || s.ResetForm {
			t.Errorf("link gone bad: %s", s)
		}
		if q := js[string](t, ctx, `location.search`); q != "" {
			t.Errorf("the bad link stays in the address: %q", q)
		}
		checkAccessibility(t, ctx, w.lang+" link gone bad")
	}
	harness.Do(t, ctx, "ask for a new link", chromedp.SendKeys(chromedp.ID("login"), "demo\r"), chromedp.WaitVisible(chromedp.CSS("#status.ok")))
	if s := state(t, ctx); s.Title != titled(w.sentTitle) || s.Heading != w.sentTitle || s.Status != w.sent || s.LinkForm {
		t.Errorf("new link%s: %s", how, s)
	}
	checkAccessibility(t, ctx, w.lang+" link sent"+how)
}

// tamper changes the first character of the page address's signature.
func tamper(t *testing.T, page string) string {
	t.Helper()
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	sig := q.Get("signature")
	first := map[bool]string{true: "B", false: "A"}[sig[0] == 'A']
	q.Set("signature", first+sig[1:])
	u.RawQuery = q.Encode()
	return u.String()
}

// TestPageDarkAndForcedColors: the page follows the system's dark scheme and forced
// colours, its text and the button's focus ring keep their contrast, and axe-core
// finds nothing in either.
func TestPageDarkAndForcedColors(t *testing.T) {
	browser := harness.NewBrowser(t, harness.FindChromium(t))
	_, origin := serve(t)
	for _, o := range []tabOptions{{lang: "en"}, {lang: "de", dark: true}, {lang: "fr", forced: true}} {
		name := map[bool]string{true: "dark", false: "light"}[o.dark]
		if o.forced {
			name = "forced-colors"
		}
		t.Run(name, func(t *testing.T) {
			ctx := openTab(t, browser, o)
			harness.Do(t, ctx, "open the link", chromedp.Navigate(pageFor(origin, demoUser, time.Now())), chromedp.WaitVisible(chromedp.ID("password")))
			type colours struct{ Background, Card, Text, Button, ButtonBorder, Ring, RingStyle string }
			c := js[colours](t, ctx, `(() => {
				const button = document.querySelector("#reset-form button");
				button.focus({ focusVisible: true });
				const b = getComputedStyle(button), m = getComputedStyle(document.getElementById("page"));
				return { Background: getComputedStyle(document.body).backgroundColor, Card: m.backgroundColor, Text: m.color,
					Button: b.backgroundColor, ButtonBorder: b.borderTopColor, Ring: b.outlineColor, RingStyle: b.outlineStyle + " " + b.outlineWidth };
			})()`)
			t.Logf("%s: %+v", name, c)
			if dark := luminance(t, c.Card) < 0.1; dark != o.dark && !o.forced {
				t.Errorf("card %s in a %s scheme", c.Card, name)
			}
			if r := contrast(t, c.Text, c.Card); r < 4.5 {
				t.Errorf("text %s on %s: %.2f:1", c.Text, c.Card, r)
			}
			if c.RingStyle != "solid 3px" {
				t.Errorf("focus ring %s", c.RingStyle)
			}
			if o.forced {
				if contrast(t, c.ButtonBorder, c.Card) < 3 {
					t.Errorf("in forced colours the button's border %s is lost on %s", c.ButtonBorder, c.Card)
				}
			} else if rb, rc := contrast(t, c.Ring, c.Button), contrast(t, c.Ring, c.Card); rb < 3 || rc < 3 {
				t.Errorf("focus ring %s: %.2f:1 against the button %s, %.2f:1 against the card %s", c.Ring, rb, c.Button, rc, c.Card)
			}
			checkAccessibility(t, ctx, name)
			harness.Screenshot(t, ctx, "page-"+name+".png", false)
		})
	}
}

// TestPageThrottled: over RATE_LIMIT_RESET_PASSWORD, the page says how long to wait
// in its language, with and without script.
func TestPageThrottled(t *testing.T) {
	browser := harness.NewBrowser(t, harness.FindChromium(t))
	_, origin := serve(t, "RATE_LIMIT_RESET_PASSWORD=1/1h")
	resp, err := http.Post(origin+"/api/v1/accounts/reset-password/", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("the request that uses the rate up: %d", resp.StatusCode)
	}
	for _, w := range languages {
		for _, noScript := range []bool{false, true} {
			t.Run(w.lang+map[bool]string{true: " without script", false: ""}[noScript], func(t *testing.T) {
				ctx := openTab(t, browser, tabOptions{lang: w.lang, noScript: noScript})
				harness.Do(t, ctx, "submit over the rate", chromedp.Navigate(pageFor(origin, demoUser, time.Now())),
					chromedp.SendKeys(chromedp.ID("password"), newPassword+"\r"), chromedp.WaitVisible(chromedp.CSS("#form-errors > *")))
				if s := state(t, ctx); !w.throttled.MatchString(s.Errors) || !s.ResetForm {
					t.Errorf("throttled: %s, want %s", s, w.throttled)
				}
				checkAccessibility(t, ctx, w.lang+" throttled")
			})
		}
	}
}

// TestPageUnavailable: with PostgreSQL stopped under the service, the page still
// opens (it cannot check the link, so it shows the form) and a submit says, in its
// language, that the service is unavailable for a moment, with and without script.
// It skips, saying so, without PostgreSQL.
func TestPageUnavailable(t *testing.T) {
	browser := harness.NewBrowser(t, harness.FindChromium(t))
	db := pgtest.StartServer(t)
	pool := pgtest.Pool(t, db.URL())
	if _, err := pool.Exec(context.Background(), harness.DjangoTable); err != nil {
		t.Fatal(err)
	}
	_, api := harness.ServePostgres(t, append(harness.PostgresEnv(db.URL(), smtptest.Start(t, smtptest.Options{})), "HOSTED_RESET_PAGE=true"))
	origin := strings.TrimSuffix(api, "/api/v1/accounts/")
	pool.Close()
	db.Stop()
	for _, w := range languages {
		for _, noScript := range []bool{false, true} {
			t.Run(w.lang+map[bool]string{true: " without script", false: ""}[noScript], func(t *testing.T) {
				ctx := openTab(t, browser, tabOptions{lang: w.lang, noScript: noScript})
				harness.Do(t, ctx, "submit while the database is down", chromedp.Navigate(pageFor(origin, "7", time.Now())),
					chromedp.SendKeys(chromedp.ID("password"), newPassword+"\r"), chromedp.WaitVisible(chromedp.CSS("#form-errors > *")))
				if s := state(t, ctx); s.Errors != w.unavailable || !s.ResetForm {
					t.Errorf("unavailable: %s, want %q", s, w.unavailable)
				}
				checkAccessibility(t, ctx, w.lang+" unavailable")
			})
		}
	}
}

// oldTemplate is a team's template written for the page before it checked links
// on load: no <main id="page">, no hidden fields, no form for a new link; the
// form carries the data.
const oldTemplate = `<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title></head><body><main>
<h1>{{.Title}}</h1>
{{if .LinkOK}}<form id="reset-form" method="post" action="#" data-endpoint="{{.Endpoint}}" data-sending="{{.T.Sending}}"
 data-success="{{.T.Success}}" data-unreachable="{{.T.Unreachable}}" data-failed="{{.T.Failed}}" data-messages="{{.Messages}}">
<div id="form-errors" role="alert" tabindex="-1"></div>
<label for="password">{{.T.Password}}</label><input id="password" name="password" type="password" aria-describedby="password-errors" data-secret>
<div id="password-errors"></div>
<input id="show-password" type="checkbox"><label for="show-password">{{.T.ShowPassword}}</label>
<button type="submit">{{.T.Submit}}</button></form>
<p id="status" role="status" tabindex="-1"></p>{{else}}<p id="form-errors">{{.T.Incomplete}}</p>{{end}}
</main><script nonce="{{.Nonce}}">{{.Script}}</script></body></html>`

// TestOldTemplateStillWorks: the page's script still resets through such a
// template, taking the link from the address and translating the API's answers.
func TestOldTemplateStillWorks(t *testing.T) {
	file := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(file, []byte(oldTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	browser := harness.NewBrowser(t, harness.FindChromium(t))
	_, origin := serve(t, "HOSTED_RESET_PAGE_TEMPLATE="+file)
	ctx := openTab(t, browser, tabOptions{lang: "de"})
	harness.Do(t, ctx, "submit a weak password", chromedp.Navigate(pageFor(origin, demoUser, time.Now())),
		chromedp.SendKeys(chromedp.ID("password"), "abc\r"), chromedp.WaitVisible(chromedp.CSS("#password-errors > *")))
	if beside := read(t, ctx, chromedp.Text(chromedp.ID("password-errors"))); !strings.Contains(beside, languages[1].weak) {
		t.Errorf("beside the field %q", beside)
	}
	harness.Do(t, ctx, "submit a good password", chromedp.Evaluate[chromedp.Void](`document.getElementById("password").value = ""`),
		chromedp.SendKeys(chromedp.ID("password"), newPassword+"\r"), chromedp.WaitVisible(chromedp.CSS("#status.ok")))
	if status := read(t, ctx, chromedp.Text(chromedp.ID("status"))); status != languages[1].success {
		t.Errorf("status %q", status)
	}
}

// TestPageRefusesOtherSites: a page of another site that posts the page's form (a
// good link and a password: a forged request) is refused by the service, in the
// browser's language, and the password stays; the same form from the page itself
// passes (TestPageInBrowser, without script).
func TestPageRefusesOtherSites(t *testing.T) {
	browser := harness.NewBrowser(t, harness.FindChromium(t))
	p, origin := serve(t, "LOG_FORMAT=json")
	q, err := url.Parse(pageFor(origin, demoUser, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var fields strings.Builder
	for name, v := range map[string]string{"user_id": q.Query().Get("user_id"), "timestamp": q.Query().Get("timestamp"),
		"signature": q.Query().Get("signature"), "password": newPassword} {
		fields.WriteString(`<input type="hidden" name="` + name + `" value="` + v + `">`)
	}
	other := "data:text/html," + url.PathEscape(`<!doctype html><html lang="en"><title>Other site</title><form method="post" action="`+
		origin+`/reset-password/new-password">`+fields.String()+`<button id="go">Win a prize</button></form>`)
	ctx := openTab(t, browser, tabOptions{lang: "de"})
	harness.Do(t, ctx, "post the form from another site", chromedp.Navigate(other), chromedp.Click(chromedp.ID("go")),
		chromedp.WaitVisible(chromedp.ID("heading")))
	s := state(t, ctx)
	if s.Title != "Fehler: Passwort zurücksetzen" || s.Errors != "Dieses Formular wurde von einer anderen Website abgeschickt und deshalb nicht angenommen. Öffnen Sie den Link in der E-Mail erneut." ||
		s.ResetForm || s.LinkForm {
		t.Errorf("cross-site post: %s", s)
	}
	checkAccessibility(t, ctx, "refused")
	for _, line := range p.Snapshot() {
		if strings.Contains(line, "password_reset.succeeded") {
			t.Fatalf("the forged request changed the password: %s", line)
		}
	}
}
