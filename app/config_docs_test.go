package app_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/app"
)

// TestEveryVariableIsDocumented: docs/configuration.md names every environment
// variable Config reads, in its nested settings too, so that a new setting cannot
// ship undocumented.
func TestEveryVariableIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	names := envNames(reflect.TypeFor[app.Config]())
	if len(names) < 50 {
		t.Fatalf("found only %d variables in Config: %v", len(names), names)
	}
	for _, name := range names {
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("docs/configuration.md does not document %s", name)
		}
	}
}

// envNames lists the env tags of t's fields, descending into the structs without one.
func envNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if tag, ok := f.Tag.Lookup("env"); ok {
			names = append(names, strings.Split(tag, ",")[0])
			continue
		}
		if ft := f.Type; ft.Kind() == reflect.Struct {
			names = append(names, envNames(ft)...)
		}
	}
	return names
}
