package http

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
)

// apiMessages let the page show the API's English messages in plain words of its own
// language: the API answers as django-rest-registration does, in English, and the
// page (its script, and the server for the forms posted without it) translates every
// message it can show. The policy's are Django's own translations
// (django/contrib/auth/locale) except where those are ungrammatical (see
// docs/configuration.md); a message it does not know is shown as it came.
type apiMessages struct {
	// Exact translates whole messages.
	Exact map[string]string `json:"exact"`
	// Counted translates the messages that carry a number, by the key of their
	// pattern in countedPatterns; %d stands for the number.
	Counted map[string]plural `json:"counted"`
	// Similar translates "The password is too similar to the FIELD." by FIELD; ""
	// is for any field it does not name.
	Similar map[string]string `json:"similar"`
}

// plural is a message in the forms its language gives to 1 and to other numbers.
type plural struct {
	One   string `json:"one"`
	Other string `json:"other"`
}

// countedPatterns match the API's messages that carry a number (the first group).
// The script gets the same patterns, so that both sides read messages alike.
var countedPatterns = map[string]*regexp.Regexp{
	"short":     regexp.MustCompile(`^This password is too short\. It must contain at least (\d+) characters?\.$`),
	"throttled": regexp.MustCompile(`^Request was throttled\. Expected available in (\d+) seconds?\.$`),
}

// similarPattern matches Django's similarity message; its group is the field.
var similarPattern = regexp.MustCompile(`^The password is too similar to the (.+)\.$`)

// pageMessages are the translations of the API's messages by language. English
// needs a few too: DRR's "Invalid signature" says nothing to a person.
var pageMessages = map[string]apiMessages{
	"en": {
		Exact: map[string]string{
			msgMismatch:         "The passwords don’t match.",
			msgInvalidSignature: "This link can’t be used any more: it may have been used already, or a newer link was sent since. Ask for a new link below.",
			msgSignatureExpired: "This link has expired. Ask for a new link below.",
			msgUserNotFound:     "No account matches this username or e-mail address.",
			msgUnavailable:      "The service is unavailable for a moment. Try again in a few seconds.",
			msgServerError:      "Something went wrong on our side. Try again in a moment.",
			msgNotFound:         "Passwords can’t be reset here at the moment.",
			msgTooLarge:         "What you entered is too long.",
			msgTooLong:          "What you entered is too long.",
			msgLinkSent:         "We’ve sent you a new link. Check your e-mail.",
			msgLinkSentIfExists: "If an account matches, we’ve sent a new link to its e-mail address. Check your e-mail.",
		},
		Counted: map[string]plural{
			"throttled": {"Too many attempts. Try again in %d second.", "Too many attempts. Try again in %d seconds."},
		},
	},
	"de": {
		Exact: map[string]string{
			policy.MsgTooCommon: "Dieses Passwort ist zu üblich.",
			policy.MsgNumeric:   "Dieses Passwort ist komplett numerisch.",
			reset.MsgBreached:   "Dieses Passwort ist in einem Datenleck aufgetaucht.",
			reset.MsgTooLong:    "Dieses Passwort ist zu lang.",
			msgMismatch:         "Die Passwörter stimmen nicht überein.",
			msgBlank:            "Dieses Feld darf nicht leer sein.",
			msgRequired:         "Dieses Feld ist zwingend erforderlich.",
			msgNullChars:        "Null-Zeichen sind nicht erlaubt.",
			msgInvalidSignature: "Dieser Link kann nicht mehr verwendet werden: Vielleicht wurde er schon benutzt oder inzwischen ein neuerer verschickt. Fordern Sie unten einen neuen Link an.",
			msgSignatureExpired: "Dieser Link ist abgelaufen. Fordern Sie unten einen neuen Link an.",
			msgUserNotFound:     "Zu diesem Benutzernamen oder dieser E-Mail-Adresse gibt es kein Konto.",
			msgUnavailable:      "Der Dienst ist gerade nicht erreichbar. Versuchen Sie es in ein paar Sekunden noch einmal.",
			msgServerError:      "Bei uns ist etwas schiefgegangen. Versuchen Sie es gleich noch einmal.",
			msgNotFound:         "Passwörter können hier zurzeit nicht zurückgesetzt werden.",
			msgTooLarge:         "Ihre Eingabe ist zu lang.",
			msgTooLong:          "Ihre Eingabe ist zu lang.",
			msgLinkSent:         "Wir haben Ihnen einen neuen Link geschickt. Sehen Sie in Ihren E-Mails nach.",
			msgLinkSentIfExists: "Falls es ein passendes Konto gibt, haben wir einen neuen Link an seine E-Mail-Adresse geschickt. Sehen Sie in Ihren E-Mails nach.",
		},
		Counted: map[string]plural{
			"short": {"Dieses Passwort ist zu kurz. Es muss mindestens %d Zeichen enthalten.",
				"Dieses Passwort ist zu kurz. Es muss mindestens %d Zeichen enthalten."},
			"throttled": {"Zu viele Versuche. Versuchen Sie es in %d Sekunde noch einmal.",
				"Zu viele Versuche. Versuchen Sie es in %d Sekunden noch einmal."},
		},
		// Django's "Das Passwort ist zu ähnlich zu %(verbose_name)s." lacks the
		// article the field needs ("zu ähnlich zu E-Mail-Adresse").
		Similar: map[string]string{
			"username":      "Das Passwort ist dem Benutzernamen zu ähnlich.",
			"email address": "Das Passwort ist der E-Mail-Adresse zu ähnlich.",
			"first name":    "Das Passwort ist dem Vornamen zu ähnlich.",
			"last name":     "Das Passwort ist dem Nachnamen zu ähnlich.",
			"":              "Das Passwort ist Angaben aus Ihrem Konto zu ähnlich.",
		},
	},
	"fr": {
		Exact: map[string]string{
			policy.MsgTooCommon: "Ce mot de passe est trop courant.",
			policy.MsgNumeric:   "Ce mot de passe est entièrement numérique.",
			reset.MsgBreached:   "Ce mot de passe figure dans une fuite de données.",
			reset.MsgTooLong:    "Ce mot de passe est trop long.",
			msgMismatch:         "Les mots de passe ne correspondent pas.",
			msgBlank:            "Ce champ ne peut être vide.",
			msgRequired:         "Ce champ est obligatoire.",
			msgNullChars:        "Les caractères nuls ne sont pas autorisés.",
			msgInvalidSignature: "Ce lien ne peut plus être utilisé\u00a0: il a peut-être déjà servi, ou un lien plus récent a été envoyé depuis. Demandez un nouveau lien ci-dessous.",
			msgSignatureExpired: "Ce lien a expiré. Demandez un nouveau lien ci-dessous.",
			msgUserNotFound:     "Aucun compte ne correspond à ce nom d’utilisateur ou à cette adresse e-mail.",
			msgUnavailable:      "Le service est momentanément indisponible. Réessayez dans quelques secondes.",
			msgServerError:      "Une erreur s’est produite de notre côté. Réessayez dans un instant.",
			msgNotFound:         "Les mots de passe ne peuvent pas être réinitialisés ici pour le moment.",
			msgTooLarge:         "Votre saisie est trop longue.",
			msgTooLong:          "Votre saisie est trop longue.",
			msgLinkSent:         "Nous vous avons envoyé un nouveau lien. Consultez votre messagerie.",
			msgLinkSentIfExists: "Si un compte correspond, nous avons envoyé un nouveau lien à son adresse e-mail. Consultez votre messagerie.",
		},
		Counted: map[string]plural{
			"short": {"Ce mot de passe est trop court. Il doit contenir au minimum %d caractère.",
				"Ce mot de passe est trop court. Il doit contenir au minimum %d caractères."},
			"throttled": {"Trop de tentatives. Réessayez dans %d seconde.",
				"Trop de tentatives. Réessayez dans %d secondes."},
		},
		// Django's own: "Le mot de passe est trop semblable au champ « %(verbose_name)s »."
		Similar: map[string]string{
			"username":      "Le mot de passe est trop semblable au champ «\u00a0nom d’utilisateur\u00a0».",
			"email address": "Le mot de passe est trop semblable au champ «\u00a0adresse électronique\u00a0».",
			"first name":    "Le mot de passe est trop semblable au champ «\u00a0prénom\u00a0».",
			"last name":     "Le mot de passe est trop semblable au champ «\u00a0nom\u00a0».",
			"":              "Le mot de passe est trop semblable à l’une des informations de votre compte.",
		},
	},
	"es": {
		Exact: map[string]string{
			policy.MsgTooCommon: "Esta contraseña es demasiado común.",
			policy.MsgNumeric:   "Esta contraseña es completamente numérica.",
			reset.MsgBreached:   "Esta contraseña ha aparecido en una filtración de datos.",
			reset.MsgTooLong:    "Esta contraseña es demasiado larga.",
			msgMismatch:         "Las contraseñas no coinciden.",
			msgBlank:            "Este campo no puede estar en blanco.",
			msgRequired:         "Este campo es obligatorio.",
			msgNullChars:        "No se permiten caracteres nulos.",
			msgInvalidSignature: "Este enlace ya no se puede usar: quizá ya se utilizó o se envió otro más reciente. Solicite un enlace nuevo a continuación.",
			msgSignatureExpired: "Este enlace ha caducado. Solicite un enlace nuevo a continuación.",
			msgUserNotFound:     "No hay ninguna cuenta con ese nombre de usuario o esa dirección de correo electrónico.",
			msgUnavailable:      "El servicio no está disponible en este momento. Vuelva a intentarlo en unos segundos.",
			msgServerError:      "Se produjo un error en nuestro sistema. Vuelva a intentarlo en un momento.",
			msgNotFound:         "En este momento no se pueden restablecer contraseñas aquí.",
			msgTooLarge:         "Lo que ha escrito es demasiado largo.",
			msgTooLong:          "Lo que ha escrito es demasiado largo.",
			msgLinkSent:         "Le hemos enviado un enlace nuevo. Revise su correo electrónico.",
			msgLinkSentIfExists: "Si existe una cuenta con esos datos, le hemos enviado un enlace nuevo. Revise su correo electrónico.",
		},
		Counted: map[string]plural{
			// Django's singular lacks the accent ("caracter").
			"short": {"Esta contraseña es demasiado corta. Debe contener al menos %d carácter.",
				"Esta contraseña es demasiado corta. Debe contener al menos %d caracteres."},
			"throttled": {"Demasiados intentos. Vuelva a intentarlo dentro de %d segundo.",
				"Demasiados intentos. Vuelva a intentarlo dentro de %d segundos."},
		},
		// Django's "La contraseña es demasiado similar a la de %(verbose_name)s."
		// reads "a la de dirección de correo electrónico".
		Similar: map[string]string{
			"username":      "La contraseña se parece demasiado al nombre de usuario.",
			"email address": "La contraseña se parece demasiado a la dirección de correo electrónico.",
			"first name":    "La contraseña se parece demasiado al nombre.",
			"last name":     "La contraseña se parece demasiado a los apellidos.",
			"":              "La contraseña se parece demasiado a uno de los datos de su cuenta.",
		},
	},
}

// translate returns msg, one of the API's messages, in lang's words; msg itself if
// lang has none for it.
func translate(lang, msg string) string {
	m := pageMessages[lang]
	if t, ok := m.Exact[msg]; ok {
		return t
	}
	for key, re := range countedPatterns {
		if g := re.FindStringSubmatch(msg); g != nil {
			p, ok := m.Counted[key]
			if !ok {
				return msg
			}
			n, form := g[1], p.Other
			if n == "1" {
				form = p.One
			}
			return strings.Replace(form, "%d", n, 1)
		}
	}
	if g := similarPattern.FindStringSubmatch(msg); g != nil {
		if t, ok := m.Similar[g[1]]; ok {
			return t
		}
		if t, ok := m.Similar[""]; ok {
			return t
		}
	}
	return msg
}

// translated is msg as the page shows it in lang: in lang's words, or marked as
// English when lang has none for it.
func translated(lang, msg string) message {
	m := message{Text: translate(lang, msg)}
	if m.Text == msg && lang != "en" {
		m.Lang = "en"
	}
	return m
}

// scriptMessages is what the page's script gets to translate as translate does: the
// translations of one language and the patterns.
type scriptMessages struct {
	apiMessages
	Patterns map[string]string `json:"patterns"`
	// Link names the messages that say the link is bad, with the title to show.
	Link map[string]string `json:"link"`
}

// messagesJSON returns the translations of lang as the page's script reads them.
func messagesJSON(lang string) string {
	patterns := map[string]string{"similar": similarPattern.String()}
	for key, re := range countedPatterns {
		patterns[key] = re.String()
	}
	t := pageTexts[lang]
	b, err := json.Marshal(scriptMessages{apiMessages: pageMessages[lang], Patterns: patterns,
		Link: map[string]string{msgInvalidSignature: t.TitleInvalid, msgSignatureExpired: t.TitleExpired}})
	if err != nil {
		panic(err) // maps of strings always encode
	}
	return string(b)
}

// formatCount fills a text's %d with n.
func formatCount(text string, n int) string {
	return strings.Replace(text, "%d", strconv.Itoa(n), 1)
}
