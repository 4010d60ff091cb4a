package http

import (
	stdhttp "net/http"

	"golang.org/x/text/language"
)

// Bounds on what Accept-Language may cost: longer headers are not read, and a
// handful of preferences is more than anyone sets.
const (
	maxAcceptLanguage = 512
	maxLanguages      = 8
)

// preferredLanguages returns the languages the request's Accept-Language prefers,
// best first; none when the header is missing, too long or malformed. They choose the
// language of the e-mails and of the hosted page; the API's answers stay English.
func preferredLanguages(r *stdhttp.Request) []string {
	header := r.Header.Get("Accept-Language")
	if header == "" || len(header) > maxAcceptLanguage {
		return nil
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return nil
	}
	langs := make([]string, 0, min(len(tags), maxLanguages))
	for _, t := range tags[:min(len(tags), maxLanguages)] {
		langs = append(langs, t.String())
	}
	return langs
}
