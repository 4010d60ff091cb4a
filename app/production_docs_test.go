package app_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestProductionExamplesAreSafe: the production configurations the docs show set the
// safe values where django-rest-registration's defaults, kept as pwreset's, are not.
func TestProductionExamplesAreSafe(t *testing.T) {
	safe := map[string]string{
		"RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND":  "false",
		"RESET_PASSWORD_VERIFICATION_ONE_TIME_USE": "true",
	}
	examples := map[string]*regexp.Regexp{
		"../README.md":          regexp.MustCompile("(?s)## Run it in production\n+```sh\n(.*?)```"),
		"../docs/operations.md": regexp.MustCompile("(?s)## A production configuration\n.*?```sh\n(.*?)```"),
	}
	for file, section := range examples {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := section.FindSubmatch(text)
		if m == nil {
			t.Fatalf("%s: no production example found", file)
		}
		set := map[string]string{}
		for _, line := range strings.Split(string(m[1]), "\n") {
			line = strings.TrimPrefix(strings.TrimSpace(line), "export ")
			name, value, ok := strings.Cut(line, "=")
			if ok {
				set[name], _, _ = strings.Cut(value, " ")
			}
		}
		for name, want := range safe {
			if set[name] != want {
				t.Errorf("%s: the production example sets %s=%q, want %s", file, name, set[name], want)
			}
		}
	}
}
