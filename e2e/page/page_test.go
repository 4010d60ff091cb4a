package page

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/e2e/harness"
)

// pageLanguage is what the browser test expects of the page and the e-mails in one
// language.
type pageLanguage struct {
	lang, linkSubject, changedSubject, title, showPassword, success string
	policy                                                          []string // the page's words for a weak password
}

var (
	english = pageLanguage{"en", "Reset your Acme password", "Your Acme password was changed",
		"Reset your password", "Show password", "Your password has been changed. You can now sign in with it.",
		[]string{"This password is too short. It must contain at least 8 characters.", "This password is too common."}}
	german = pageLanguage{"de", "Passwort für Acme zurücksetzen", "Ihr Passwort für Acme wurde geändert",
		"Passwort zurücksetzen", "Passwort anzeigen", "Ihr Passwort wurde geändert. Sie können sich jetzt damit anmelden.",
		[]string{"Dieses Passwort ist zu kurz. Es muss mindestens 8 Zeichen enthalten.", "Dieses Passwort ist zu üblich."}}
)

// TestResetPageInBrowser drives headless Chromium through the hosted page of the
// built binary, against MongoDB (FerretDB) and a SendGrid stand-in: request a link,
// open it from the e-mail, submit a weak password and see the policy's messages
// beside the field, submit a good one and see success, check the stored hash and
// the password-changed e-mail. In English, then in German (Accept-Language), and
// with a user whose language field says German.
func TestResetPageInBrowser(t *testing.T) {
	chrome := harness.FindChromium(t)
	db := mongotest.NewDatabase(t)
	aliceID := harness.SeedAlice(t, db)
	brunoID := seedUser(t, db, "bruno", "")
	claraID := seedUser(t, db, "clara", "de")
	doraID := seedUser(t, db, "dora", "")
	sg := sendgridtest.New(t)
	_, api := harness.Serve(t, mongotest.URI(t), db.Name(), append(harness.MailEnv(sg),
		"HOSTED_RESET_PAGE=true", "USER_LANGUAGE_FIELD=language", "HOSTED_RESET_PAGE_PRODUCT_NAME=Acme")...)
	origin := strings.TrimSuffix(api, "/api/v1/accounts/")
	browser := harness.NewBrowser(t, chrome)

	t.Run("English", func(t *testing.T) {
		resetInBrowser(t, browser, db, sg, api, origin, "alice", aliceID, "en-US,en;q=0.9", english)
	})
	t.Run("German by Accept-Language", func(t *testing.T) {
		resetInBrowser(t, browser, db, sg, api, origin, "bruno", brunoID, "de-DE,de;q=0.9,en;q=0.5", german)
	})
	t.Run("German by the user's field", func(t *testing.T) {
		// Her browser asks for English; her account says German, and wins for the e-mails.
		resetInBrowser(t, browser, db, sg, api, origin, "clara", claraID, "en", pageLanguage{
			"en", german.linkSubject, german.changedSubject, english.title, english.showPassword, english.success, english.policy})
	})
	t.Run("tampered link, on a phone", func(t *testing.T) {
		// The page checks the link as it opens: it says at once that the link cannot
		// be used, and offers to send a new one instead of the password's form.
		requestLinkIn(t, api, "dora", "es")
		mail := harness.AwaitMails(t, sg, "dora@example.com", "reset_link", 1)[0]
		link := harness.LinkIn(t, mail)
		link.Set("signature", harness.Tamper(link.Get("signature")))
		ctx := harness.Tab(t, browser, "es")
		harness.Do(t, ctx, "open the link on a phone",
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
			chromedp.Navigate(origin+"/reset-password/?"+link.Encode()),
			chromedp.WaitVisible(chromedp.ID("link-form")))
		overflow := harness.Value(t, ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if lang := harness.Value(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "es" || overflow {
			t.Errorf("page in %q, wider than the phone: %v", lang, overflow)
		}
		above := harness.Value(t, ctx, chromedp.Text(chromedp.ID("form-errors")))
		passwords := harness.Value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("input[type=password]").length`))
		if above != "Este enlace ya no se puede usar: quizá ya se utilizó o se envió otro más reciente. Solicite un enlace nuevo a continuación." || passwords != 0 {
			t.Errorf("above the form %q, %d password fields", above, passwords)
		}
		harness.Screenshot(t, ctx, "dora-phone-tampered.png", false)
	})
	t.Run("expired link", func(t *testing.T) {
		// Signed with the service's key two days ago: the page says so as it opens.
		c := link.Claims{UserID: doraID.Hex(), Timestamp: time.Now().Add(-48 * time.Hour).Unix()}
		q := url.Values{"user_id": {c.UserID}, "timestamp": {strconv.FormatInt(c.Timestamp, 10)},
			"signature": {link.NewSigner([]byte(harness.SecretKey), false).Sign(c)}}
		ctx := harness.Tab(t, browser, "de")
		harness.Do(t, ctx, "open an expired link",
			chromedp.Navigate(origin+"/reset-password/?"+q.Encode()),
			chromedp.WaitVisible(chromedp.ID("link-form")))
		if above := harness.Value(t, ctx, chromedp.Text(chromedp.ID("form-errors"))); above != "Dieser Link ist abgelaufen. Fordern Sie unten einen neuen Link an." {
			t.Errorf("above the form %q", above)
		}
	})
	t.Run("incomplete link", func(t *testing.T) {
		ctx := harness.Tab(t, browser, "en")
		harness.Do(t, ctx, "open an incomplete link", chromedp.Navigate(origin+"/reset-password/?user_id=1&signature=abc"),
			chromedp.WaitVisible(chromedp.ID("link-form")))
		message := harness.Value(t, ctx, chromedp.Text(chromedp.ID("form-errors")))
		passwords := harness.Value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("input[type=password]").length`))
		if passwords != 0 || !strings.Contains(message, "This link is incomplete.") {
			t.Fatalf("%d password fields, message %q", passwords, message)
		}
	})
}

// resetInBrowser runs the whole flow for one user.
func resetInBrowser(t *testing.T, browser context.Context, db *mongo.Database, sg *sendgridtest.Server,
	api, origin, login string, id any, acceptLanguage string, want pageLanguage) {
	email := login + "@example.com"
	requestLinkIn(t, api, login, acceptLanguage)
	mail := harness.AwaitMails(t, sg, email, "reset_link", 1)[0]
	if mail.Subject != want.linkSubject || !strings.Contains(mail.HTML, `<a href="https://frontend.example/reset-password/?`) {
		t.Fatalf("link e-mail %q, HTML %q", mail.Subject, mail.HTML)
	}
	page := origin + "/reset-password/?" + harness.LinkIn(t, mail).Encode()
	ctx := harness.Tab(t, browser, acceptLanguage)

	harness.Do(t, ctx, "open the link", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("password")))
	lang := harness.Value(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	title := harness.Value(t, ctx, chromedp.Text(chromedp.CSS("h1")))
	toggle := harness.Value(t, ctx, chromedp.Text(chromedp.CSS("label[for=show-password]")))
	if lang != want.lang || title != want.title || toggle != want.showPassword {
		t.Fatalf("page in %q titled %q, toggle %q; want %q %q %q", lang, title, toggle, want.lang, want.title, want.showPassword)
	}

	// From the keyboard: type a weak password and press Enter.
	harness.Do(t, ctx, "submit a weak password",
		chromedp.Focus(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), "abc\r"),
		chromedp.WaitVisible(chromedp.CSS("#password-errors > *")))
	fieldErrors := harness.Value(t, ctx, chromedp.Text(chromedp.ID("password-errors")))
	for _, msg := range want.policy {
		if !strings.Contains(fieldErrors, msg) {
			t.Errorf("beside the field: %q, want %q", fieldErrors, msg)
		}
	}
	focused := harness.Value(t, ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	invalid := harness.Value(t, ctx, chromedp.Evaluate[string](`document.getElementById("password").getAttribute("aria-invalid")`))
	above := harness.Value(t, ctx, chromedp.Evaluate[string](`document.getElementById("form-errors").textContent`))
	if focused != "password" || invalid != "true" || above != "" {
		t.Errorf("focus on %q, aria-invalid %q, errors above the form %q", focused, invalid, above)
	}
	harness.Screenshot(t, ctx, login+"-weak-password.png", false)

	harness.Do(t, ctx, "show the password",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("password").value = ""`),
		chromedp.SendKeys(chromedp.ID("password"), harness.NewPassword),
		chromedp.Click(chromedp.ID("show-password")))
	if shown := harness.Value(t, ctx, chromedp.Evaluate[string](`document.getElementById("password").type`)); shown != "text" {
		t.Errorf("after the toggle the field is of type %q", shown)
	}
	if typed := harness.Value(t, ctx, chromedp.Value(chromedp.ID("password"))); typed != harness.NewPassword {
		t.Fatalf("the field holds %q, want %q", typed, harness.NewPassword)
	}
	harness.Do(t, ctx, "submit a good password",
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#status.ok")))
	status := harness.Value(t, ctx, chromedp.Text(chromedp.ID("status")))
	forms := harness.Value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("form:not([hidden])").length`))
	query := harness.Value(t, ctx, chromedp.Evaluate[string](`location.search`))
	if status != want.success || forms != 0 || query != "" {
		t.Errorf("status %q, %d forms, query %q left in the address", status, forms, query)
	}
	harness.Screenshot(t, ctx, login+"-success.png", false)

	hash, _ := harness.UserDoc(t, db, id)["password"].(string)
	if ok, err := argon2.NewHasher(argon2.DefaultParams()).Verify(hash, harness.NewPassword); !ok || err != nil {
		t.Fatalf("the stored hash does not verify the new password: %v", err)
	}
	if got := harness.AwaitMails(t, sg, email, "password_changed", 1)[0]; got.Subject != want.changedSubject {
		t.Errorf("password-changed e-mail %q, want %q", got.Subject, want.changedSubject)
	}
}

// requestLinkIn asks the API for a link as a front end in that language would.
func requestLinkIn(t *testing.T, api, login, acceptLanguage string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, api+"send-reset-password-link/", strings.NewReader(`{"login":"`+login+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("send link for %s: %d", login, resp.StatusCode)
	}
}

// seedUser stores a user with the old password and, unless empty, a language.
func seedUser(t *testing.T, db *mongo.Database, login, language string) bson.ObjectID {
	t.Helper()
	hash, err := argon2.NewHasher(argon2.DefaultParams()).Hash(harness.OldPassword)
	if err != nil {
		t.Fatal(err)
	}
	id := bson.NewObjectID()
	doc := bson.D{{Key: "_id", Value: id}, {Key: "username", Value: login}, {Key: "email", Value: login + "@example.com"},
		{Key: "password", Value: hash}}
	if language != "" {
		doc = append(doc, bson.E{Key: "language", Value: language})
	}
	if _, err := db.Collection("users").InsertOne(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestDemoPageInBrowser: in demo mode the link printed in the e-mail opens the hosted
// page; with a required confirmation, a mismatch is shown beside the confirmation
// field in the page's language (French here), and the show-password toggle works
// from the keyboard.
func TestDemoPageInBrowser(t *testing.T) {
	chrome := harness.FindChromium(t)
	p := harness.Start(t, []string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0",
		"RESET_PASSWORD_SERIALIZER_PASSWORD_CONFIRM=true"}, "serve")
	api := p.Await(t, regexp.MustCompile(`curl -s -X POST (http://\S+/)send-reset-password-link/`))[1]
	p.Await(t, regexp.MustCompile(`pwreset listening`))
	requestLinkIn(t, api, "demo", "fr")
	link := p.Await(t, regexp.MustCompile(`^(http://\S+/reset-password/\?\S+)$`))[1]
	ctx := harness.Tab(t, harness.NewBrowser(t, chrome), "fr-FR,fr;q=0.9")

	harness.Do(t, ctx, "open the printed link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("password_confirm")))
	harness.Do(t, ctx, "submit two different passwords",
		chromedp.SendKeys(chromedp.ID("password"), harness.NewPassword),
		chromedp.SendKeys(chromedp.ID("password_confirm"), harness.NewPassword+"!"),
		chromedp.Focus(chromedp.ID("show-password")),
		chromedp.SendKeys(chromedp.ID("show-password"), " "),
		chromedp.Focus(chromedp.ID("password_confirm")),
		chromedp.SendKeys(chromedp.ID("password_confirm"), "\r"),
		chromedp.WaitVisible(chromedp.CSS("#password_confirm-errors > *")))
	beside := harness.Value(t, ctx, chromedp.Text(chromedp.ID("password_confirm-errors")))
	types := harness.Value(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("input[data-secret]")].map(i => i.type).join(",")`))
	if beside != "Les mots de passe ne correspondent pas." || types != "text,text" {
		t.Errorf("beside the confirmation %q; field types after Space on the toggle %q", beside, types)
	}
	harness.Screenshot(t, ctx, "demo-confirm-mismatch.png", false)
	harness.Do(t, ctx, "correct the confirmation",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("password_confirm").value = ""`),
		chromedp.SendKeys(chromedp.ID("password_confirm"), harness.NewPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS("#status.ok")))
	if status := harness.Value(t, ctx, chromedp.Text(chromedp.ID("status"))); !strings.HasPrefix(status, "Votre mot de passe a été modifié.") {
		t.Errorf("status %q", status)
	}
}
