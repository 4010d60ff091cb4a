package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pwreset/pwreset/domain/reset"
)

// langPlaceholder in a template path stands for each supported language in turn.
const langPlaceholder = "{lang}"

// ProvideTemplates parses the e-mail templates, reading the files configured, with
// the product name, the link's period, the contact and the time zone they show.
func ProvideTemplates(cfg Config) (reset.Emails, error) {
	def := cfg.Languages.Default
	link, err := parseTemplates(reset.KindResetLink, "RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES", def,
		cfg.SubjectTemplate, cfg.BodyTemplate, cfg.HTMLBodyTemplate)
	if err != nil {
		return reset.Emails{}, err
	}
	changed, err := parseTemplates(reset.KindPasswordChanged, "RESET_PASSWORD_CHANGED_EMAIL_TEMPLATES", def,
		cfg.ChangedSubject, cfg.ChangedBody, cfg.ChangedHTMLBody)
	if err != nil {
		return reset.Emails{}, err
	}
	return reset.Emails{Link: link, Changed: changed}.With(cfg.emailDetails()), nil
}

// parseTemplates reads the template files of one kind of e-mail, in each language,
// and parses them. An empty path takes the embedded defaults. A path without
// {lang} serves every language; with it, each language reads its own file, and one
// whose file is missing keeps its embedded template (but the default language's
// file must exist, which catches a mistyped path).
func parseTemplates(kind, prefix, defaultLang string, paths ...string) (*reset.Templates, error) {
	src := map[string]reset.TemplateSources{}
	for _, lang := range reset.Languages {
		var texts [3]string
		for i, suffix := range []string{"_SUBJECT", "_BODY", "_HTML_BODY"} {
			text, err := readTemplate(paths[i], lang, lang == defaultLang)
			if err != nil {
				return nil, fmt.Errorf("%s%s: read the template file: %w", prefix, suffix, err)
			}
			texts[i] = text
		}
		src[lang] = reset.TemplateSources{Subject: texts[0], Text: texts[1], HTML: texts[2]}
	}
	t, err := reset.ParseLocalizedTemplates(kind, defaultLang, src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	return t, nil
}

// readTemplate reads the file of path in lang; "" when there is none to read.
func readTemplate(path, lang string, required bool) (string, error) {
	if path == "" {
		return "", nil
	}
	perLang := strings.Contains(path, langPlaceholder)
	b, err := os.ReadFile(strings.ReplaceAll(path, langPlaceholder, lang))
	if perLang && !required && errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}
