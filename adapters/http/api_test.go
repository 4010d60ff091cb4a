package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPaths checks both endpoints with and without their trailing slash, and under
// another prefix.
func TestPaths(t *testing.T) {
	tests := []struct {
		name string
		opts []option
		path string
	}{
		{"send, slash", nil, sendPath},
		{"send, no slash", nil, strings.TrimSuffix(sendPath, "/")},
		{"reset, slash", nil, resetPath},
		{"reset, no slash", nil, strings.TrimSuffix(resetPath, "/")},
		{"other prefix", []option{withPrefix("auth")}, "/auth/reset-password/"},
		{"other prefix, no slash", []option{withPrefix("/auth/")}, "/auth/reset-password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newFixture(t, tt.opts...).post(tt.path, `[]`)
			// Reaching the serializer proves the route: DRF's answer to a list body.
			expect(t, rec, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`)
		})
	}
}

func TestNotFound(t *testing.T) {
	tests := []struct {
		name, method, path string
		opts               []option
	}{
		{"unknown path", "GET", "/nowhere", nil},
		{"unknown path, POST", "POST", "/api/v1/accounts/register/", nil},
		{"prefix alone", "POST", "/api/v1/accounts/", nil},
		{"default prefix when another is set", "POST", resetPath, []option{withPrefix("/auth/")}},
		{"no reset page unless asked", "GET", "/reset-password/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, newFixture(t, tt.opts...).do(tt.method, tt.path, jsonType, `{}`), 404, `{"detail":"Not found."}`)
		})
	}
}

// TestMethodNotAllowed checks DRF's 405, which comes before anything else, even
// when the workflow is off.
func TestMethodNotAllowed(t *testing.T) {
	tests := []struct {
		name, method, path string
		opts               []option
	}{
		{"GET send", "GET", sendPath, nil},
		{"PUT send, no slash", "PUT", strings.TrimSuffix(sendPath, "/"), nil},
		{"GET reset", "GET", resetPath, nil},
		{"DELETE reset", "DELETE", resetPath, nil},
		{"PATCH reset", "PATCH", resetPath, nil},
		{"GET reset, disabled", "GET", resetPath, []option{disabled}},
		{"unusual method", "PURGE", sendPath, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newFixture(t, tt.opts...).do(tt.method, tt.path, "text/plain", "x")
			expect(t, rec, 405, `{"detail":"Method \"`+tt.method+`\" not allowed."}`)
			if got := rec.Header().Get("Allow"); got != "POST, OPTIONS" {
				t.Errorf("Allow %q, want POST, OPTIONS", got)
			}
		})
	}
	t.Run("POST healthz", func(t *testing.T) {
		rec := newFixture(t).do("POST", "/healthz", "", "")
		expect(t, rec, 405, `{"detail":"Method \"POST\" not allowed."}`)
		if !strings.Contains(rec.Header().Get("Allow"), "GET") {
			t.Errorf("Allow %q, want GET in it", rec.Header().Get("Allow"))
		}
	})
}

// TestOptions checks DRF's answer to a plain OPTIONS (not a CORS preflight).
func TestOptions(t *testing.T) {
	rec := newFixture(t).do("OPTIONS", resetPath, "", "")
	expect(t, rec, 200, `{"name":"Reset Password","renders":["application/json"],`+
		`"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`)
	if got := rec.Header().Get("Allow"); got != "POST, OPTIONS" {
		t.Errorf("Allow %q", got)
	}
}

func TestHealthz(t *testing.T) {
	expect(t, newFixture(t, disabled).do("GET", "/healthz", "", ""), 200, `{"status":"ok"}`)
}

// TestSecurityHeaders checks the headers on answers of every kind.
func TestSecurityHeaders(t *testing.T) {
	preflight := []string{"Origin", "https://front.example", "Access-Control-Request-Method", "POST"}
	tests := []struct {
		name, method, path, contentType, body string
		headers                               []string
		status                                int
	}{
		{"success", "POST", sendPath, jsonType, `{"login":"alice"}`, nil, 200},
		{"field error", "POST", sendPath, jsonType, `{}`, nil, 400},
		{"unknown path", "GET", "/nowhere", "", "", nil, 404},
		{"method", "GET", sendPath, "", "", nil, 405},
		{"media type", "POST", sendPath, "text/plain", "x", nil, 415},
		{"too large", "POST", sendPath, jsonType, strings.Repeat(" ", 5000), nil, 413},
		{"healthz", "GET", "/healthz", "", "", nil, 200},
		{"preflight", "OPTIONS", sendPath, "", "", preflight, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, corsFrom("https://front.example"))
			rec := f.do(tt.method, tt.path, tt.contentType, tt.body, tt.headers...)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			for name, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
				if got := rec.Header().Get(name); got != want {
					t.Errorf("%s %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestCORS(t *testing.T) {
	const front = "https://front.example"
	preflight := []string{"Origin", front, "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "content-type,x-csrftoken"}
	t.Run("preflight from an allowed origin", func(t *testing.T) {
		rec := newFixture(t, corsFrom(front)).do("OPTIONS", sendPath, "", "", preflight...)
		h := rec.Header()
		if rec.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != front ||
			h.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("preflight %d %v", rec.Code, h)
		}
		for _, want := range []string{"Content-Type", "Accept", "Authorization", "X-Requested-With", "X-CSRFToken", "X-Request-Id"} {
			if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
				t.Errorf("Access-Control-Allow-Headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), want)
			}
		}
		if !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("Access-Control-Allow-Methods %q", h.Get("Access-Control-Allow-Methods"))
		}
	})
	t.Run("error answer to an allowed origin", func(t *testing.T) {
		// The front end must be able to read DRF's field errors.
		rec := newFixture(t, corsFrom(front)).do("POST", sendPath, jsonType, `{}`, "Origin", front)
		expect(t, rec, 400, required)
		if rec.Header().Get("Access-Control-Allow-Origin") != front {
			t.Errorf("headers %v", rec.Header())
		}
	})
	t.Run("preflight from another origin", func(t *testing.T) {
		preflight := append([]string{}, preflight...)
		preflight[1] = "https://evil.example"
		rec := newFixture(t, corsFrom(front)).do("OPTIONS", sendPath, "", "", preflight...)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin %q for another origin", got)
		}
	})
	t.Run("origin configured with a trailing slash", func(t *testing.T) {
		rec := newFixture(t, corsFrom(front+"/")).do("OPTIONS", sendPath, "", "", preflight...)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != front {
			t.Errorf("Access-Control-Allow-Origin %q, want %q", got, front)
		}
	})
	t.Run("any origin", func(t *testing.T) {
		// With credentials a wildcard is refused by browsers: the origin is echoed.
		preflight := append([]string{}, preflight...)
		preflight[1] = "https://other.example"
		rec := newFixture(t, corsFrom("*")).do("OPTIONS", sendPath, "", "", preflight...)
		h := rec.Header()
		if h.Get("Access-Control-Allow-Origin") != "https://other.example" || h.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("headers %v", h)
		}
	})
	t.Run("no origins configured", func(t *testing.T) {
		f := newFixture(t)
		for _, rec := range []*httptest.ResponseRecorder{
			f.do("OPTIONS", sendPath, "", "", preflight...),
			f.do("POST", sendPath, jsonType, `{"login":"alice"}`, "Origin", front),
		} {
			for name := range rec.Header() {
				if strings.HasPrefix(name, "Access-Control-") {
					t.Errorf("CORS header %s sent with no origins configured", name)
				}
			}
		}
	})
}

// TestRequestID checks that every answer carries an id of the service's own, never
// the caller's, and that the caller's id, when short and safe, is logged next to it.
func TestRequestID(t *testing.T) {
	tests := []struct {
		name, sent string
		kept       bool // logged as client_request_id
	}{
		{"UUID", "2f1c9e4a-7b1d-4c55-9a0e-3d2b1f0c8e7a", true},
		{"dotted, 64 characters", strings.Repeat("a.b_", 16), true},
		{"none", "", false},
		{"65 characters", strings.Repeat("a", 65), false},
		{"with a colon", "trace:1", false},
		{"with a slash", "a/b", false},
		{"with spaces", "a b", false},
		{"with quotes", `a"b`, false},
		{"with an equals sign", "request_id=forged", false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rec := f.do("GET", "/healthz", "", "", "X-Request-Id", tt.sent)
			got := rec.Header().Get("X-Request-Id")
			if got == "" || got == tt.sent || seen[got] {
				t.Errorf("X-Request-Id %q for %q, want a new id of the service's own", got, tt.sent)
			}
			seen[got] = true
			lines := f.logs.lines(t)
			if len(lines) != 1 || lines[0]["request_id"] != got {
				t.Fatalf("log %v, want one line with request_id %q", lines, got)
			}
			client, logged := lines[0]["client_request_id"]
			if tt.kept && client != tt.sent || !tt.kept && logged {
				t.Errorf("client_request_id %v (logged: %v) for %q, want it logged: %v", client, logged, tt.sent, tt.kept)
			}
		})
	}
}

// TestAccessLog checks the one line per request, and that the query string, which
// may hold a signature, is not in it.
func TestAccessLog(t *testing.T) {
	f := newFixture(t)
	rec := f.do("POST", sendPath+"?signature=s3cr3t", jsonType, `{"login":"alice"}`, "X-Request-Id", "req-1")
	lines := accessLines(f.logs.lines(t))
	if len(lines) != 1 {
		t.Fatalf("%d access log lines, want 1: %s", len(lines), f.logs)
	}
	l := lines[0]
	if l["method"] != "POST" || l["path"] != sendPath || l["status"] != 200.0 ||
		l["request_id"] != rec.Header().Get("X-Request-Id") || l["client_request_id"] != "req-1" ||
		l["client_ip"] != "192.0.2.1" || l["latency"] == nil {
		t.Errorf("access log %v", l)
	}
	if strings.Contains(f.logs.String(), "s3cr3t") {
		t.Errorf("query string logged: %s", f.logs)
	}
}

// accessLines keeps the access log lines, leaving out the audit events.
func accessLines(lines []map[string]any) []map[string]any {
	var access []map[string]any
	for _, l := range lines {
		if l["msg"] == "request" {
			access = append(access, l)
		}
	}
	return access
}
