package link_test

import (
	"testing"

	"github.com/pwreset/pwreset/domain/link"
)

func TestBuild(t *testing.T) {
	c := link.Claims{UserID: "a b&c", Timestamp: 1764100000}
	cases := []struct{ base, want string }{
		{"https://frontend-host/reset-password/",
			"https://frontend-host/reset-password/?user_id=a%20b%26c&timestamp=1764100000&signature=sig"},
		{"https://frontend-host/reset-password/?lang=en",
			"https://frontend-host/reset-password/?lang=en&user_id=a%20b%26c&timestamp=1764100000&signature=sig"},
		{"https://frontend-host/reset-password/?",
			"https://frontend-host/reset-password/?user_id=a%20b%26c&timestamp=1764100000&signature=sig"},
		{"https://frontend-host/#/reset-password",
			"https://frontend-host/#/reset-password?user_id=a%20b%26c&timestamp=1764100000&signature=sig"},
		{"https://frontend-host/reset/{user_id}/{timestamp}/{signature}",
			"https://frontend-host/reset/a%20b%26c/1764100000/sig"},
		{"https://frontend-host/r?s={signature}&u={user_id}&t={timestamp}&lang=en",
			"https://frontend-host/r?s=sig&u=a%20b%26c&t=1764100000&lang=en"},
	}
	for _, tc := range cases {
		t.Run(tc.base, func(t *testing.T) {
			if got := link.Build(tc.base, c, "sig"); got != tc.want {
				t.Fatalf("Build = %q\nwant    %q", got, tc.want)
			}
		})
	}
}

func TestCheckBaseURL(t *testing.T) {
	for base, ok := range map[string]bool{
		"https://frontend-host/reset-password/": true,
		"http://localhost:3000/reset":           true,
		"frontend-host/reset-password/":         false,
		"/reset-password/":                      false,
		"ftp://frontend-host/":                  false,
		"https:///path":                         false,
		"":                                      false,
	} {
		if err := link.CheckBaseURL(base); (err == nil) != ok {
			t.Errorf("CheckBaseURL(%q) = %v, want ok=%v", base, err, ok)
		}
	}
}
