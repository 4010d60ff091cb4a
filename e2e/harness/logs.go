package harness

import (
	"encoding/json"
	"strings"
	"testing"
)

// Events returns the audit events the service has logged so far.
func Events(p *Process) []map[string]any {
	var got []map[string]any
	for _, l := range p.Snapshot() {
		if !strings.Contains(l, `"audit":true`) {
			continue
		}
		var e map[string]any
		if json.Unmarshal([]byte(l), &e) == nil {
			got = append(got, e)
		}
	}
	return got
}

// Matching returns the events named name that have every attribute of attrs.
func Matching(events []map[string]any, name string, attrs map[string]any) []map[string]any {
	var got []map[string]any
	for _, e := range events {
		if e["msg"] != name {
			continue
		}
		ok := true
		for k, v := range attrs {
			ok = ok && e[k] == v
		}
		if ok {
			got = append(got, e)
		}
	}
	return got
}

// AssertNoLinkLogged fails the test if any line p wrote holds a reset link.
func AssertNoLinkLogged(t *testing.T, p *Process) {
	t.Helper()
	for _, l := range p.Snapshot() {
		if strings.Contains(l, "signature=") || strings.Contains(l, "frontend.example/reset-password/?") {
			t.Fatalf("a log line holds a link: %s", l)
		}
	}
}
