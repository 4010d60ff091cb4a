package http

// pageText holds the words of the hosted reset page in one language. Every field must
// be set in every language (TestPageTextIsComplete checks it).
type pageText struct {
	Title        string
	Intro        string
	Password     string
	Confirm      string
	ShowPassword string
	Submit       string
	Sending      string
	Success      string
	Incomplete   string
	Unreachable  string
	Failed       string
}

// pageTexts are the page's words by language, one entry for each of reset.Languages.
var pageTexts = map[string]pageText{
	"en": {
		Title:        "Reset your password",
		Intro:        "Choose a new password for your account.",
		Password:     "New password",
		Confirm:      "Confirm the new password",
		ShowPassword: "Show password",
		Submit:       "Set new password",
		Sending:      "Saving…",
		Success:      "Your password has been changed. You can now sign in with it.",
		Incomplete:   "This link is incomplete. Open the link in the e-mail again, or copy its whole address into your browser.",
		Unreachable:  "The server could not be reached. Try again in a moment.",
		Failed:       "Something went wrong. Try again in a moment.",
	},
	"de": {
		Title:        "Passwort zurücksetzen",
		Intro:        "Wählen Sie ein neues Passwort für Ihr Konto.",
		Password:     "Neues Passwort",
		Confirm:      "Neues Passwort bestätigen",
		ShowPassword: "Passwort anzeigen",
		Submit:       "Neues Passwort speichern",
		Sending:      "Wird gespeichert…",
		Success:      "Ihr Passwort wurde geändert. Sie können sich jetzt damit anmelden.",
		Incomplete:   "Dieser Link ist unvollständig. Öffnen Sie den Link in der E-Mail erneut oder kopieren Sie die vollständige Adresse in Ihren Browser.",
		Unreachable:  "Der Server ist nicht erreichbar. Versuchen Sie es gleich noch einmal.",
		Failed:       "Etwas ist schiefgegangen. Versuchen Sie es gleich noch einmal.",
	},
	"fr": {
		Title:        "Réinitialiser votre mot de passe",
		Intro:        "Choisissez un nouveau mot de passe pour votre compte.",
		Password:     "Nouveau mot de passe",
		Confirm:      "Confirmez le nouveau mot de passe",
		ShowPassword: "Afficher le mot de passe",
		Submit:       "Enregistrer le mot de passe",
		Sending:      "Enregistrement…",
		Success:      "Votre mot de passe a été modifié. Vous pouvez maintenant vous connecter avec.",
		Incomplete:   "Ce lien est incomplet. Ouvrez à nouveau le lien de l’e-mail, ou copiez son adresse complète dans votre navigateur.",
		Unreachable:  "Le serveur est injoignable. Réessayez dans un instant.",
		Failed:       "Une erreur s’est produite. Réessayez dans un instant.",
	},
	"es": {
		Title:        "Restablecer su contraseña",
		Intro:        "Elija una nueva contraseña para su cuenta.",
		Password:     "Nueva contraseña",
		Confirm:      "Confirme la nueva contraseña",
		ShowPassword: "Mostrar la contraseña",
		Submit:       "Guardar la contraseña",
		Sending:      "Guardando…",
		Success:      "Su contraseña ha sido cambiada. Ya puede iniciar sesión con ella.",
		Incomplete:   "Este enlace está incompleto. Vuelva a abrir el enlace del correo o copie su dirección completa en el navegador.",
		Unreachable:  "No se pudo contactar con el servidor. Vuelva a intentarlo en un momento.",
		Failed:       "Algo salió mal. Vuelva a intentarlo en un momento.",
	},
}
