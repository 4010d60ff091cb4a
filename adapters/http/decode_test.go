package http_test

import (
	"strings"
	"testing"
)

// TestContentTypes checks the parsers: what is taken, what is refused and how.
func TestContentTypes(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
		want                    string
	}{
		{"text/plain", "text/plain", `{"login":"alice"}`, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{"type with parameters quoted whole", "text/plain; charset=utf-8", "x", 415,
			`{"detail":"Unsupported media type \"text/plain; charset=utf-8\" in request."}`},
		{"XML", "application/xml", "<login>alice</login>", 415, `{"detail":"Unsupported media type \"application/xml\" in request."}`},
		{"no Content-Type", "", `{"login":"alice"}`, 415,
			`{"detail":"Unsupported media type \"\" in request; a Content-Type header is required."}`},
		{"type in capitals", "Application/JSON", `{"login":"alice"}`, 200, sent},
		{"malformed parameter", "application/json; charset", `{"login":"alice"}`, 200, sent},
		{"multipart without boundary", "multipart/form-data", "login=alice", 400,
			`{"detail":"Multipart form parse error - no boundary in the Content-Type"}`},
		{"largest body", jsonType, `{"login":"alice"` + strings.Repeat(" ", 4096-len(`{"login":"alice"}`)) + `}`, 200, sent},
		{"body too large", jsonType, `{"login":"alice"` + strings.Repeat(" ", 4097-len(`{"login":"alice"}`)) + `}`, 413,
			`{"detail":"Request body is too large."}`},
		{"form too large", formType, "login=" + strings.Repeat("a", 5000), 413, `{"detail":"Request body is too large."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			expect(t, f.do("POST", sendPath, tt.contentType, tt.body), tt.status, tt.want)
		})
	}
}

// TestJSONParseErrors checks DRF's parse error, with what Go's decoder found wrong.
func TestJSONParseErrors(t *testing.T) {
	tests := []struct{ name, body, says string }{
		{"not JSON", `login=alice`, "invalid character"},
		{"cut short", `{"login":"ali`, "unexpected end of JSON input"},
		{"trailing garbage", `{"login":"alice"} x`, "invalid character 'x' after top-level value"},
		{"two values", `{} {}`, "after top-level value"},
		{"not UTF-8", "{\"login\":\"al\xffce\"}", "invalid UTF-8"},
		{"NaN", `{"login":NaN}`, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{sendPath, resetPath} {
				rec := newFixture(t).post(path, tt.body)
				d := detailOf(t, rec)
				if rec.Code != 400 || !strings.HasPrefix(d, "JSON parse error - ") || !strings.Contains(d, tt.says) {
					t.Errorf("%s: %d %q, want 400 JSON parse error - …%s…", path, rec.Code, d, tt.says)
				}
			}
		})
	}
}
