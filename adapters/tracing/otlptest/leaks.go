package otlptest

import (
	"fmt"
	"strings"
)

// Leaks lists, for each span that carries one of secrets in any of its texts (case
// folded), the span and the text; empty secrets are ignored.
func Leaks(spans []Span, secrets ...string) []string {
	var leaks []string
	for _, s := range spans {
		for _, text := range s.Texts {
			for _, secret := range secrets {
				if secret != "" && strings.Contains(strings.ToLower(text), strings.ToLower(secret)) {
					leaks = append(leaks, fmt.Sprintf("span %q holds %q in %q", s.Name, secret, text))
				}
			}
		}
	}
	return leaks
}
