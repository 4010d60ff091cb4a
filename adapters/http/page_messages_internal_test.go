package http

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
)

// pageShowable lists every API message the page can show: the answers of its two
// forms, policy refusals included (the similarity one for Django's fields and a
// team's own), and the errors of the whole request.
func pageShowable() []string {
	msgs := []string{
		policy.MsgTooCommon, policy.MsgNumeric, reset.MsgBreached, reset.MsgTooLong,
		policy.New(8).Check("x", nil)[0], policy.New(1).Check("", nil)[0],
		msgMismatch, msgBlank, msgRequired, msgNullChars, msgTooLong,
		msgInvalidSignature, msgSignatureExpired, msgUserNotFound, msgUnavailable, msgServerError, msgNotFound, msgTooLarge,
		msgLinkSent, msgLinkSentIfExists,
	}
	for _, field := range []string{"username", "email address", "first name", "last name", "member number"} {
		msgs = append(msgs, policy.New(1).Check("alice", []policy.Attribute{{Name: field, Value: "alice"}})[0])
	}
	return append(msgs, throttledMessage(1), throttledMessage(187))
}

// TestEveryMessageInEveryLanguage: each message the page can show reads in the
// page's language: de, fr and es translate all of them, English rewords DRR's terse
// ones; no translation is left with a placeholder, a straight apostrophe or a
// stray English word.
func TestEveryMessageInEveryLanguage(t *testing.T) {
	plainEnglish := []string{msgInvalidSignature, msgSignatureExpired, msgUnavailable, msgServerError, msgNotFound,
		msgTooLarge, msgMismatch, throttledMessage(187)}
	for _, lang := range reset.Languages {
		for _, msg := range pageShowable() {
			got := translate(lang, msg)
			if lang != "en" && got == msg {
				t.Errorf("%s: %q is not translated", lang, msg)
			}
			if strings.ContainsAny(got, "%'") {
				t.Errorf("%s: %q has a placeholder or a straight apostrophe", lang, got)
			}
		}
		for _, msg := range plainEnglish {
			if lang == "en" && translate(lang, msg) == msg {
				t.Errorf("en: %q is not reworded", msg)
			}
		}
	}
}

// TestTranslations checks some translations word for word: plurals, the similarity
// sentences fixed for grammar, a team's own field in words of the language.
func TestTranslations(t *testing.T) {
	for _, tt := range []struct{ lang, msg, want string }{
		{"en", throttledMessage(1), "Too many attempts. Try again in 1 second."},
		{"en", throttledMessage(187), "Too many attempts. Try again in 187 seconds."},
		{"en", "The password is too similar to the member number.", "The password is too similar to the member number."},
		{"en", policy.MsgTooCommon, policy.MsgTooCommon},
		{"de", throttledMessage(187), "Zu viele Versuche. Versuchen Sie es in 187 Sekunden noch einmal."},
		{"de", "The password is too similar to the email address.", "Das Passwort ist der E-Mail-Adresse zu ähnlich."},
		{"de", "The password is too similar to the member number.", "Das Passwort ist Angaben aus Ihrem Konto zu ähnlich."},
		{"de", "This password is too short. It must contain at least 10 characters.", "Dieses Passwort ist zu kurz. Es muss mindestens 10 Zeichen enthalten."},
		{"fr", throttledMessage(1), "Trop de tentatives. Réessayez dans 1 seconde."},
		{"fr", "The password is too similar to the username.", "Le mot de passe est trop semblable au champ «\u00a0nom d’utilisateur\u00a0»."},
		{"es", "This password is too short. It must contain at least 1 character.", "Esta contraseña es demasiado corta. Debe contener al menos 1 carácter."},
		{"es", "The password is too similar to the email address.", "La contraseña se parece demasiado a la dirección de correo electrónico."},
		{"es", "Something new the API says.", "Something new the API says."},
	} {
		if got := translate(tt.lang, tt.msg); got != tt.want {
			t.Errorf("%s %q = %q, want %q", tt.lang, tt.msg, got, tt.want)
		}
	}
}

// TestPageWordsUseOneApostrophe: the page's words, like its messages, use the
// typographic apostrophe only.
func TestPageWordsUseOneApostrophe(t *testing.T) {
	for lang, text := range pageTexts {
		v := reflect.ValueOf(text)
		for i := range v.NumField() {
			if s := v.Field(i).String(); strings.Contains(s, "'") {
				t.Errorf("%s %s: %q", lang, v.Type().Field(i).Name, s)
			}
		}
	}
}

// TestScriptGetsTheSameTranslations: the JSON the script reads holds the server's
// translations and the patterns it matches with.
func TestScriptGetsTheSameTranslations(t *testing.T) {
	var m struct {
		Exact    map[string]string
		Counted  map[string]plural
		Similar  map[string]string
		Patterns map[string]string
		Link     map[string]string
	}
	if err := json.Unmarshal([]byte(messagesJSON("fr")), &m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Exact, pageMessages["fr"].Exact) || !reflect.DeepEqual(m.Counted, pageMessages["fr"].Counted) ||
		!reflect.DeepEqual(m.Similar, pageMessages["fr"].Similar) || m.Patterns["throttled"] != countedPatterns["throttled"].String() ||
		m.Patterns["similar"] != similarPattern.String() || m.Link[msgSignatureExpired] != "Ce lien a expiré" {
		t.Errorf("script messages %+v", m)
	}
}

// throttledMessage is the API's 429 message for a wait of seconds.
func throttledMessage(seconds int) string {
	c := echo.New().NewContext(httptest.NewRequest("POST", "/", nil), httptest.NewRecorder())
	return messagesOf(throttled(c, seconds).body)["detail"][0]
}

// TestUntranslatedIsMarkedEnglish: a message the page's language lacks is shown
// as it came, marked lang="en" so that it is read as English.
func TestUntranslatedIsMarkedEnglish(t *testing.T) {
	if m := translated("de", "Something new the API says."); m.Lang != "en" || m.Text != "Something new the API says." {
		t.Errorf("untranslated: %+v", m)
	}
	if m := translated("de", msgUnavailable); m.Lang != "" {
		t.Errorf("translated, yet marked: %+v", m)
	}
	if m := translated("en", "Something new the API says."); m.Lang != "" {
		t.Errorf("English on an English page marked: %+v", m)
	}
	tpl, err := ParsePageTemplate("")
	if err != nil {
		t.Fatal(err)
	}
	d := pageData{Lang: "de", T: pageTexts["de"], Errors: []message{translated("de", "New thing.")},
		Fields: fieldMessage{Password: []message{translated("de", msgMismatch), translated("de", "Other thing.")}}}
	d.setState(stateForm)
	var b strings.Builder
	if err := tpl.Execute(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<p lang="en">New thing.</p>`, `<li>Die Passwörter stimmen nicht überein.</li><li lang="en">Other thing.</li>`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("page lacks %s", want)
		}
	}
}
