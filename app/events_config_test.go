package app_test

import (
	"strings"
	"testing"
)

func TestEventsProblems(t *testing.T) {
	secret := "whsec_" + strings.Repeat("A", 32)
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"off", nil, nil},
		{"on", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret}, nil},
		{"all types", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret,
			"EVENTS_TYPES=password.changed, reset_link.sent ,reset_link.failed"}, nil},
		{"no types", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret, "EVENTS_TYPES= , "},
			[]string{"EVENTS_TYPES must name at least one of"}},
		{"no secret", []string{"EVENTS_URL=https://api.example.com/hooks"}, []string{"EVENTS_SECRET is required with EVENTS_URL"}},
		{"secret alone", []string{"EVENTS_SECRET=" + secret}, []string{"EVENTS_SECRET is set but EVENTS_URL is not"}},
		{"bad URL", []string{"EVENTS_URL=api.example.com/hooks", "EVENTS_SECRET=" + secret}, []string{"EVENTS_URL: it must be an absolute http or https URL"}},
		{"bad secret", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=hunter2hunter2"}, []string{`EVENTS_SECRET: it does not start with "whsec_"`}},
		{"short secret", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=whsec_AAAA"}, []string{"EVENTS_SECRET: its key is 3 bytes, fewer than 24"}},
		{"unknown type", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret,
			"EVENTS_TYPES=password.changed,user.deleted"}, []string{`EVENTS_TYPES: "user.deleted" is not an event pwreset sends`}},
		{"timeout", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret, "EVENTS_TIMEOUT=0s"},
			[]string{"EVENTS_TIMEOUT must be a positive duration"}},
		{"lease", []string{"EVENTS_URL=https://api.example.com/hooks", "EVENTS_SECRET=" + secret, "EVENTS_TIMEOUT=1m"},
			[]string{"MAIL_LEASE (1m0s) must be at least 4/3 of EVENTS_TIMEOUT (1m0s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wantProblems(t, tt.env, tt.want...)
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}
