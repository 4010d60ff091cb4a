package app

import (
	"fmt"
	"strings"

	"github.com/pwreset/pwreset/domain/reset"
)

// LanguageSettings say which language the e-mails and the hosted page are in.
type LanguageSettings struct {
	// Default is the language when neither the user nor the request names a
	// supported one (DEFAULT_LANGUAGE).
	Default string `env:"DEFAULT_LANGUAGE" envDefault:"en"`
	// UserField is the user document's field holding the user's language
	// (USER_LANGUAGE_FIELD); empty or "off": none.
	UserField string `env:"USER_LANGUAGE_FIELD"`
}

// userField is the language field to read, "" when off.
func (l LanguageSettings) userField() string {
	if l.UserField == "off" {
		return ""
	}
	return strings.TrimSpace(l.UserField)
}

func (l LanguageSettings) problems() []error {
	if reset.Supported(l.Default) && reset.BaseLanguage(l.Default) == l.Default {
		return nil
	}
	return []error{fmt.Errorf("DEFAULT_LANGUAGE %q is not supported: use one of %s",
		l.Default, strings.Join(reset.Languages, ", "))}
}
