package app

import (
	"strings"
	"testing"
	"time"
)

// TestEmailSettings: the product name's fallbacks, the contact's, the zone, and
// the variables named when they are wrong.
func TestEmailSettings(t *testing.T) {
	tests := []struct {
		env     []string
		product string
		contact string
		zone    string
	}{
		{nil, "pwreset", "", "UTC"},
		{[]string{"RESET_PASSWORD_VERIFICATION_URL=https://shop.example:8443/reset/"}, "shop.example", "", "UTC"},
		{[]string{"RESET_PASSWORD_VERIFICATION_URL=https://shop.example/reset/", "HOSTED_RESET_PAGE_PRODUCT_NAME=Shop"}, "Shop", "", "UTC"},
		{[]string{"HOSTED_RESET_PAGE_PRODUCT_NAME=Shop", "PRODUCT_NAME=Example Shop"}, "Example Shop", "", "UTC"},
		{[]string{"VERIFICATION_REPLY_TO_EMAIL=help@shop.example"}, "pwreset", "help@shop.example", "UTC"},
		{[]string{"VERIFICATION_REPLY_TO_EMAIL=help@shop.example", "RESET_PASSWORD_CHANGED_CONTACT=https://shop.example/help",
			"TIME_ZONE=Europe/Berlin"}, "pwreset", "https://shop.example/help", "Europe/Berlin"},
	}
	for _, tt := range tests {
		cfg, err := Load(tt.env)
		if err != nil {
			t.Fatalf("%v: %v", tt.env, err)
		}
		d := cfg.emailDetails()
		if d.Product != tt.product || d.Contact != tt.contact || d.Zone.String() != tt.zone || d.Period != 24*time.Hour {
			t.Errorf("%v: %+v; want product %q, contact %q, zone %s", tt.env, d, tt.product, tt.contact, tt.zone)
		}
	}
	_, err := Load([]string{"TIME_ZONE=Mars/Olympus", "RESET_PASSWORD_CHANGED_CONTACT=call us"})
	for _, want := range []string{`TIME_ZONE "Mars/Olympus" is not a time zone`, `RESET_PASSWORD_CHANGED_CONTACT "call us" is neither`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad e-mail settings: %v; want %q", err, want)
		}
	}
}
