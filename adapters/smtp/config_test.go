package smtp_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/smtp"
)

// TestParseURL: the two schemes with their default ports, credentials decoded,
// and every bad URL refused without showing its password.
func TestParseURL(t *testing.T) {
	good := []struct {
		url  string
		want smtp.Endpoint
	}{
		{"smtp://relay.example.com", smtp.Endpoint{Host: "relay.example.com", Port: 587}},
		{"smtps://u:p%40ss@relay.example.com", smtp.Endpoint{Host: "relay.example.com", Port: 465, Implicit: true, User: "u", Password: "p@ss"}},
		{"smtp://apikey:s3cret@smtp.example.com:2525/", smtp.Endpoint{Host: "smtp.example.com", Port: 2525, User: "apikey", Password: "s3cret"}},
		{"smtp://[::1]:25", smtp.Endpoint{Host: "::1", Port: 25}},
	}
	for _, c := range good {
		if got, err := smtp.ParseURL(c.url); err != nil || got != c.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "relay.example.com:587", "http://u:s3cret@relay.example.com", "smtp://u:s3cret@:587",
		"smtp://u:s3cret@relay.example.com:0", "smtp://u:s3cret@relay.example.com:99999", "smtp://u:s3cret@relay.example.com/path",
		"smtp://u:s3cret@relay.example.com?tls=off", "smtp://u:s3cret@relay example.com"} {
		_, err := smtp.ParseURL(bad)
		if !errors.Is(err, smtp.ErrBadURL) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseURL(%q): %v; want ErrBadURL without the password", bad, err)
		}
	}
	if _, err := smtp.NewMailer(smtp.Config{URL: "smtps://relay.example.com", NoTLS: true}); err == nil {
		t.Error("NoTLS with smtps:// was accepted")
	}
}
