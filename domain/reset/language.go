package reset

import (
	"slices"
	"strings"
)

// Languages are those the e-mails (and the hosted reset page) are written in. Adding
// one is adding its templates under templates/<kind>/<lang>/, its date layout below
// and its page strings in adapters/http (docs/configuration.md, "Adding a language").
var Languages = []string{"en", "de", "fr", "es"}

// DefaultLanguage is the language used when neither the user nor the request names a
// supported one, unless DEFAULT_LANGUAGE says otherwise.
const DefaultLanguage = "en"

// timeLayouts write the time of a password change the way each language reads
// it; FormatTime adds the zone.
var timeLayouts = map[string]string{
	"en": "2 January 2006 at 15:04",
	"de": "02.01.2006 um 15:04",
	"fr": "02/01/2006 à 15:04",
	"es": "02/01/2006 a las 15:04",
}

// Supported reports whether lang, a language tag such as "de" or "de-CH", has a
// supported base language.
func Supported(lang string) bool {
	return slices.Contains(Languages, BaseLanguage(lang))
}

// BaseLanguage returns the primary subtag of a language tag in lower case: "de" for
// "de-CH", "pt" for "pt_BR".
func BaseLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	return strings.ToLower(strings.TrimSpace(base))
}

// ChooseLanguage returns the base language of the first of prefs that is supported,
// or fallback. Callers list what decides first: the user's own setting, then the
// languages the request's Accept-Language prefers, best first. An unsupported or empty
// entry is skipped.
func ChooseLanguage(fallback string, prefs ...string) string {
	for _, p := range prefs {
		if Supported(p) {
			return BaseLanguage(p)
		}
	}
	return fallback
}
