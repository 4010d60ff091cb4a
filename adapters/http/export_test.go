package http

// EachPageText calls f with each language's page text, for the tests.
func EachPageText(f func(lang string, text any)) {
	for lang, text := range pageTexts {
		f(lang, text)
	}
}
