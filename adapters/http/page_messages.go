package http

import (
	"encoding/json"

	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
)

// apiMessages let the page show the API's English messages in its own language: the
// API answers as django-rest-registration does, in English, and the page translates
// the messages it knows. The policy's are Django's own translations
// (django/contrib/auth/locale); a message it does not know is shown as it came.
type apiMessages struct {
	// Exact translates whole messages.
	Exact map[string]string `json:"exact"`
	// Short and ShortOne translate "This password is too short. It must contain at
	// least N characters." (ShortOne when N is 1); %d stands for N.
	Short    string `json:"short"`
	ShortOne string `json:"shortOne"`
	// Similar translates "The password is too similar to the FIELD."; %s stands for
	// the field, which Fields translates when it knows it.
	Similar string            `json:"similar"`
	Fields  map[string]string `json:"fields"`
}

// pageMessages are the translations of the API's messages by language; English
// needs none.
var pageMessages = map[string]apiMessages{
	"en": {},
	"de": {
		Exact: map[string]string{
			policy.MsgTooCommon: "Dieses Passwort ist zu üblich.",
			policy.MsgNumeric:   "Dieses Passwort ist komplett numerisch.",
			reset.MsgBreached:   "Dieses Passwort ist in einem Datenleck aufgetaucht.",
			reset.MsgTooLong:    "Dieses Passwort ist zu lang.",
			msgMismatch:         "Die Passwörter stimmen nicht überein.",
			msgBlank:            "Dieses Feld darf nicht leer sein.",
			msgInvalidSignature: "Dieser Link ist ungültig. Fordern Sie einen neuen an.",
			msgSignatureExpired: "Dieser Link ist abgelaufen. Fordern Sie einen neuen an.",
		},
		Short:    "Dieses Passwort ist zu kurz. Es muss mindestens %d Zeichen enthalten.",
		ShortOne: "Dieses Passwort ist zu kurz. Es muss mindestens %d Zeichen enthalten.",
		Similar:  "Das Passwort ist zu ähnlich zu %s.",
		Fields:   map[string]string{"username": "Benutzername", "email address": "E-Mail-Adresse"},
	},
	"fr": {
		Exact: map[string]string{
			policy.MsgTooCommon: "Ce mot de passe est trop courant.",
			policy.MsgNumeric:   "Ce mot de passe est entièrement numérique.",
			reset.MsgBreached:   "Ce mot de passe figure dans une fuite de données.",
			reset.MsgTooLong:    "Ce mot de passe est trop long.",
			msgMismatch:         "Les mots de passe ne correspondent pas.",
			msgBlank:            "Ce champ ne peut être vide.",
			msgInvalidSignature: "Ce lien n’est pas valide. Demandez-en un nouveau.",
			msgSignatureExpired: "Ce lien a expiré. Demandez-en un nouveau.",
		},
		Short:    "Ce mot de passe est trop court. Il doit contenir au minimum %d caractères.",
		ShortOne: "Ce mot de passe est trop court. Il doit contenir au minimum %d caractère.",
		Similar:  "Le mot de passe est trop semblable au champ « %s ».",
		Fields:   map[string]string{"username": "nom d’utilisateur", "email address": "adresse électronique"},
	},
	"es": {
		Exact: map[string]string{
			policy.MsgTooCommon: "Esta contraseña es demasiado común.",
			policy.MsgNumeric:   "Esta contraseña es completamente numérica.",
			reset.MsgBreached:   "Esta contraseña ha aparecido en una filtración de datos.",
			reset.MsgTooLong:    "Esta contraseña es demasiado larga.",
			msgMismatch:         "Las contraseñas no coinciden.",
			msgBlank:            "Este campo no puede estar en blanco.",
			msgInvalidSignature: "Este enlace no es válido. Solicite uno nuevo.",
			msgSignatureExpired: "Este enlace ha caducado. Solicite uno nuevo.",
		},
		Short:    "Esta contraseña es demasiado corta. Debe contener al menos %d caracteres.",
		ShortOne: "Esta contraseña es demasiado corta. Debe contener al menos %d caracter.",
		Similar:  "La contraseña es demasiado similar a la de %s.",
		Fields:   map[string]string{"username": "nombre de usuario", "email address": "dirección de correo electrónico"},
	},
}

// messagesJSON returns the translations of lang as the page's script reads them.
func messagesJSON(lang string) string {
	b, err := json.Marshal(pageMessages[lang])
	if err != nil {
		panic(err) // maps of strings always encode
	}
	return string(b)
}
