package http

// pageText holds the words of the hosted reset page in one language. Every field must
// be set in every language (TestPageTextIsComplete checks it). Apostrophes are
// typographic (’) in every language, as are French quotation marks with their
// no-break spaces.
type pageText struct {
	Title           string // the form's title and heading, unless HOSTED_RESET_PAGE_TITLE
	TitleDone       string // ... once the password is changed
	TitleInvalid    string // ... of a link that cannot be used
	TitleExpired    string // ... of an expired link
	TitleIncomplete string // ... of a link that lacks its values
	TitleLinkSent   string // ... once a new link is asked for
	TitleNewLink    string // ... of the form that asks for a new link
	ErrorPrefix     string // before the title of a page that shows errors
	Intro           string
	Account         string // the label of the account's login, for password managers
	Password        string
	Confirm         string
	Requirements    string // the heading of the password's requirements
	ReqLength       string // %d: the minimum length
	ReqLengthOne    string // the same, when the minimum is 1
	ReqCommon       string
	ReqNumeric      string
	ReqSimilar      string
	ReqBreached     string // shown when BREACHED_PASSWORD_CHECK is on
	ShowPassword    string
	Submit          string
	Sending         string
	Success         string
	SignIn          string // the link to SIGN_IN_URL after success
	Incomplete      string
	NewLinkIntro    string // above the form that asks for a new link by login, e-mail address too
	NewLinkByName   string // the same, by username alone
	NewLinkByEmail  string // the same, by e-mail address alone
	Login           string // that form's field, by login, e-mail address too
	Username        string // that form's field, by username alone
	Email           string // that form's field, by e-mail address alone
	SendLink        string // its button
	SendingLink     string
	Unreachable     string
	Failed          string
	CrossSite       string // a form posted from another site, refused
}

// pageTexts are the page's words by language, one entry for each of reset.Languages.
var pageTexts = map[string]pageText{
	"en": {
		Title:           "Reset your password",
		TitleDone:       "Password changed",
		TitleInvalid:    "This link can’t be used",
		TitleExpired:    "This link has expired",
		TitleIncomplete: "This link is incomplete",
		TitleLinkSent:   "Check your e-mail",
		TitleNewLink:    "Ask for a new link",
		ErrorPrefix:     "Error: ",
		Intro:           "Choose a new password for your account.",
		Account:         "Account",
		Password:        "New password",
		Confirm:         "Confirm the new password",
		Requirements:    "Your new password must:",
		ReqLength:       "have at least %d characters",
		ReqLengthOne:    "have at least %d character",
		ReqCommon:       "not be a common password",
		ReqNumeric:      "not consist of digits only",
		ReqSimilar:      "not resemble your name, username or e-mail address",
		ReqBreached:     "not appear in known data breaches",
		ShowPassword:    "Show password",
		Submit:          "Set new password",
		Sending:         "Saving…",
		Success:         "Your password has been changed. You can now sign in with it.",
		SignIn:          "Sign in",
		Incomplete:      "This link is incomplete. Open the link in the e-mail again, or copy its whole address into your browser.",
		NewLinkIntro:    "Enter your username or e-mail address, and we’ll send you a new link.",
		NewLinkByName:   "Enter your username, and we’ll send you a new link.",
		NewLinkByEmail:  "Enter your e-mail address, and we’ll send you a new link.",
		Login:           "Username or e-mail address",
		Username:        "Username",
		Email:           "E-mail address",
		SendLink:        "Send a new link",
		SendingLink:     "Sending…",
		Unreachable:     "The server could not be reached. Try again in a moment.",
		Failed:          "Something went wrong. Try again in a moment.",
		CrossSite:       "This form was sent from another website, so it was not accepted. Open the link in the e-mail again.",
	},
	"de": {
		Title:           "Passwort zurücksetzen",
		TitleDone:       "Passwort geändert",
		TitleInvalid:    "Dieser Link ist nicht mehr gültig",
		TitleExpired:    "Dieser Link ist abgelaufen",
		TitleIncomplete: "Dieser Link ist unvollständig",
		TitleLinkSent:   "Neuer Link unterwegs",
		TitleNewLink:    "Neuen Link anfordern",
		ErrorPrefix:     "Fehler: ",
		Intro:           "Wählen Sie ein neues Passwort für Ihr Konto.",
		Account:         "Konto",
		Password:        "Neues Passwort",
		Confirm:         "Neues Passwort bestätigen",
		Requirements:    "Anforderungen an das neue Passwort:",
		ReqLength:       "mindestens %d Zeichen",
		ReqLengthOne:    "mindestens %d Zeichen",
		ReqCommon:       "kein gängiges Passwort",
		ReqNumeric:      "nicht nur Ziffern",
		ReqSimilar:      "keine Ähnlichkeit mit Ihrem Namen, Benutzernamen oder Ihrer E-Mail-Adresse",
		ReqBreached:     "in keinem bekannten Datenleck enthalten",
		ShowPassword:    "Passwort anzeigen",
		Submit:          "Neues Passwort speichern",
		Sending:         "Wird gespeichert…",
		Success:         "Ihr Passwort wurde geändert. Sie können sich jetzt damit anmelden.",
		SignIn:          "Anmelden",
		Incomplete:      "Dieser Link ist unvollständig. Öffnen Sie den Link in der E-Mail erneut oder kopieren Sie die vollständige Adresse in Ihren Browser.",
		NewLinkIntro:    "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein, dann schicken wir Ihnen einen neuen Link.",
		NewLinkByName:   "Geben Sie Ihren Benutzernamen ein, dann schicken wir Ihnen einen neuen Link.",
		NewLinkByEmail:  "Geben Sie Ihre E-Mail-Adresse ein, dann schicken wir Ihnen einen neuen Link.",
		Login:           "Benutzername oder E-Mail-Adresse",
		Username:        "Benutzername",
		Email:           "E-Mail-Adresse",
		SendLink:        "Neuen Link anfordern",
		SendingLink:     "Wird gesendet…",
		Unreachable:     "Der Server ist nicht erreichbar. Versuchen Sie es gleich noch einmal.",
		Failed:          "Etwas ist schiefgegangen. Versuchen Sie es gleich noch einmal.",
		CrossSite:       "Dieses Formular wurde von einer anderen Website abgeschickt und deshalb nicht angenommen. Öffnen Sie den Link in der E-Mail erneut.",
	},
	"fr": {
		Title:           "Réinitialiser votre mot de passe",
		TitleDone:       "Mot de passe modifié",
		TitleInvalid:    "Ce lien n’est plus valable",
		TitleExpired:    "Ce lien a expiré",
		TitleIncomplete: "Ce lien est incomplet",
		TitleLinkSent:   "Consultez votre messagerie",
		TitleNewLink:    "Demander un nouveau lien",
		ErrorPrefix:     "Erreur\u00a0: ",
		Intro:           "Choisissez un nouveau mot de passe pour votre compte.",
		Account:         "Compte",
		Password:        "Nouveau mot de passe",
		Confirm:         "Confirmez le nouveau mot de passe",
		Requirements:    "Le nouveau mot de passe doit\u00a0:",
		ReqLength:       "contenir au moins %d caractères",
		ReqLengthOne:    "contenir au moins %d caractère",
		ReqCommon:       "ne pas être un mot de passe courant",
		ReqNumeric:      "ne pas être composé uniquement de chiffres",
		ReqSimilar:      "ne ressembler ni à votre nom, ni à votre nom d’utilisateur, ni à votre adresse e-mail",
		ReqBreached:     "ne figurer dans aucune fuite de données connue",
		ShowPassword:    "Afficher le mot de passe",
		Submit:          "Enregistrer le mot de passe",
		Sending:         "Enregistrement…",
		Success:         "Votre mot de passe a été modifié. Vous pouvez maintenant vous connecter avec ce nouveau mot de passe.",
		SignIn:          "Se connecter",
		Incomplete:      "Ce lien est incomplet. Ouvrez à nouveau le lien de l’e-mail ou copiez son adresse complète dans votre navigateur.",
		NewLinkIntro:    "Saisissez votre nom d’utilisateur ou votre adresse e-mail et nous vous enverrons un nouveau lien.",
		NewLinkByName:   "Saisissez votre nom d’utilisateur et nous vous enverrons un nouveau lien.",
		NewLinkByEmail:  "Saisissez votre adresse e-mail et nous vous enverrons un nouveau lien.",
		Login:           "Nom d’utilisateur ou adresse e-mail",
		Username:        "Nom d’utilisateur",
		Email:           "Adresse e-mail",
		SendLink:        "Recevoir un nouveau lien",
		SendingLink:     "Envoi en cours…",
		Unreachable:     "Le serveur est injoignable. Réessayez dans un instant.",
		Failed:          "Une erreur s’est produite. Réessayez dans un instant.",
		CrossSite:       "Ce formulaire a été envoyé depuis un autre site et n’a donc pas été accepté. Ouvrez à nouveau le lien de l’e-mail.",
	},
	"es": {
		Title:           "Restablecer su contraseña",
		TitleDone:       "Contraseña cambiada",
		TitleInvalid:    "Este enlace ya no es válido",
		TitleExpired:    "Este enlace ha caducado",
		TitleIncomplete: "Este enlace está incompleto",
		TitleLinkSent:   "Revise su correo electrónico",
		TitleNewLink:    "Solicitar un enlace nuevo",
		ErrorPrefix:     "Error: ",
		Intro:           "Elija una nueva contraseña para su cuenta.",
		Account:         "Cuenta",
		Password:        "Nueva contraseña",
		Confirm:         "Confirme la nueva contraseña",
		Requirements:    "La nueva contraseña debe:",
		ReqLength:       "tener al menos %d caracteres",
		ReqLengthOne:    "tener al menos %d carácter",
		ReqCommon:       "no ser una contraseña común",
		ReqNumeric:      "no estar formada solo por números",
		ReqSimilar:      "no parecerse a su nombre, su nombre de usuario ni su dirección de correo electrónico",
		ReqBreached:     "no aparecer en filtraciones de datos conocidas",
		ShowPassword:    "Mostrar la contraseña",
		Submit:          "Guardar la contraseña",
		Sending:         "Guardando…",
		Success:         "Su contraseña ha sido cambiada. Ya puede iniciar sesión con ella.",
		SignIn:          "Iniciar sesión",
		Incomplete:      "Este enlace está incompleto. Vuelva a abrir el enlace del correo o copie su dirección completa en el navegador.",
		NewLinkIntro:    "Escriba su nombre de usuario o su dirección de correo electrónico y le enviaremos un enlace nuevo.",
		NewLinkByName:   "Escriba su nombre de usuario y le enviaremos un enlace nuevo.",
		NewLinkByEmail:  "Escriba su dirección de correo electrónico y le enviaremos un enlace nuevo.",
		Login:           "Nombre de usuario o dirección de correo electrónico",
		Username:        "Nombre de usuario",
		Email:           "Dirección de correo electrónico",
		SendLink:        "Enviar un enlace nuevo",
		SendingLink:     "Enviando…",
		Unreachable:     "No se pudo contactar con el servidor. Vuelva a intentarlo en un momento.",
		Failed:          "Algo salió mal. Vuelva a intentarlo en un momento.",
		CrossSite:       "Este formulario se envió desde otro sitio web y por eso no se aceptó. Vuelva a abrir el enlace del correo.",
	},
}
