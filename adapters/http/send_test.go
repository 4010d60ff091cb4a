package http_test

import (
	"net/http"
	"testing"
)

const (
	sent         = `{"detail":"Reset link sent"}`
	sentIfExists = `{"detail":"Reset link sent if the user exists in database"}`
	userNotFound = `{"detail":"User not found"}`
	required     = `{"login":["This field is required."]}`
)

func TestSendLink(t *testing.T) {
	multipartBody, multipartType := multipartOf(map[string]string{"login": "alice"})
	nulMultipartBody, nulMultipartType := multipartOf(map[string]string{"login": "alice\x00"})
	tests := []struct {
		name        string
		opts        []option
		contentType string
		body        string
		status      int
		want        string
		mailTo      string // the one address mailed; empty: no mail
	}{
		{"user found, link e-mailed", nil, jsonType, `{"login":"alice"}`, 200, sent, "alice@example.com"},
		{"found by another login field", nil, jsonType, `{"login":"alice@example.com"}`, 200, sent, "alice@example.com"},
		{"found, unknown users hidden", []option{hidingUnknown}, jsonType, `{"login":"alice"}`, 200, sentIfExists, "alice@example.com"},
		{"no such user, revealed", nil, jsonType, `{"login":"carol"}`, 400, userNotFound, ""},
		{"no such user, hidden", []option{hidingUnknown}, jsonType, `{"login":"carol"}`, 200, sentIfExists, ""},
		{"user without e-mail, revealed", nil, jsonType, `{"login":"bob"}`, 400, userNotFound, ""},
		{"user without e-mail, hidden", []option{hidingUnknown}, jsonType, `{"login":"bob"}`, 200, sentIfExists, ""},
		{"login trimmed", nil, jsonType, `{"login":"  alice\t"}`, 200, sent, "alice@example.com"},
		{"login trimmed of Python's whitespace", nil, jsonType, `{"login":"\u001calice\u001f\u00a0"}`, 200, sent, "alice@example.com"},
		{"e-mail trimmed", []option{byEmail}, formType, "email=%1Dalice%40example.com%0B", 200, sent, "alice@example.com"},
		{"number login", nil, jsonType, `{"login":123}`, 200, sent, "numbers@example.com"},
		{"unknown fields ignored", nil, jsonType, `{"login":"alice","extra":[1]}`, 200, sent, "alice@example.com"},
		{"charset parameter", nil, "application/json; charset=utf-8", `{"login":"alice"}`, 200, sent, "alice@example.com"},
		{"form-urlencoded", nil, formType, "login=alice", 200, sent, "alice@example.com"},
		{"form-urlencoded, last value wins", nil, formType, "login=carol&login=alice", 200, sent, "alice@example.com"},
		{"multipart", nil, multipartType, multipartBody, 200, sent, "alice@example.com"},
		{"by e-mail", []option{byEmail}, jsonType, `{"email":"alice@example.com"}`, 200, sent, "alice@example.com"},
		{"by e-mail, not a login", []option{byEmail}, jsonType, `{"email":"alice"}`, 400, userNotFound, ""},

		{"field missing", nil, jsonType, `{"username":"alice"}`, 400, required, ""},
		{"empty object", nil, jsonType, `{}`, 400, required, ""},
		{"empty body", nil, "", "", 400, required, ""},
		{"empty body, any type", nil, "text/plain", "", 400, required, ""},
		{"empty form", nil, formType, "", 400, required, ""},
		{"by e-mail, login given", []option{byEmail}, jsonType, `{"login":"alice"}`, 400, `{"email":["This field is required."]}`, ""},
		{"blank", nil, jsonType, `{"login":""}`, 400, `{"login":["This field may not be blank."]}`, ""},
		{"only whitespace", nil, jsonType, `{"login":" \t "}`, 400, `{"login":["This field may not be blank."]}`, ""},
		{"only information separators", nil, jsonType, `{"login":"\u001c\u001d\u001e\u001f"}`, 400, `{"login":["This field may not be blank."]}`, ""},
		{"NUL", nil, jsonType, `{"login":"ali\u0000ce"}`, 400, `{"login":["Null characters are not allowed."]}`, ""},
		{"NUL in a form", nil, formType, "login=alice%00", 400, `{"login":["Null characters are not allowed."]}`, ""},
		{"NUL in a multipart form", nil, nulMultipartType, nulMultipartBody, 400, `{"login":["Null characters are not allowed."]}`, ""},
		{"NUL in an e-mail", []option{byEmail}, jsonType, `{"email":"alice@example.com\u0000"}`, 400, `{"email":["Null characters are not allowed."]}`, ""},
		{"unpaired surrogate", nil, jsonType, `{"login":"alice\uD800"}`, 400, `{"login":["Surrogate characters are not allowed: U+D800."]}`, ""},
		{"surrogate in a key only", nil, jsonType, `{"login\ud800":"alice","login":"alice"}`, 200, sent, "alice@example.com"},
		{"blank in a form", nil, formType, "login=", 400, `{"login":["This field may not be blank."]}`, ""},
		{"blank, by e-mail", []option{byEmail}, jsonType, `{"email":""}`, 400, `{"email":["This field may not be blank."]}`, ""},
		{"null", nil, jsonType, `{"login":null}`, 400, `{"login":["This field may not be null."]}`, ""},
		{"bool", nil, jsonType, `{"login":true}`, 400, `{"login":["Not a valid string."]}`, ""},
		{"object", nil, jsonType, `{"login":{"a":1}}`, 400, `{"login":["Not a valid string."]}`, ""},
		{"array", nil, jsonType, `{"login":["alice"]}`, 400, `{"login":["Not a valid string."]}`, ""},
		{"body a list", nil, jsonType, `["alice"]`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`, ""},
		{"body a string", nil, jsonType, `"alice"`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got str."]}`, ""},
		{"body an integer", nil, jsonType, `12`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got int."]}`, ""},
		{"body a float", nil, jsonType, `1.5`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got float."]}`, ""},
		{"body a bool", nil, jsonType, `true`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got bool."]}`, ""},
		{"body null", nil, jsonType, `null`, 400, `{"non_field_errors":["No data provided"]}`, ""},

		{"disabled", []option{disabled}, jsonType, `{"login":"alice"}`, 404, `{"detail":"Not found."}`, ""},
		{"disabled, whatever the body", []option{disabled}, "text/plain", "{", 404, `{"detail":"Not found."}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts...)
			rec := f.do(http.MethodPost, sendPath, tt.contentType, tt.body)
			expect(t, rec, tt.status, tt.want)
			mails := f.mailer.Sent()
			switch {
			case tt.mailTo == "" && len(mails) != 0:
				t.Errorf("mailed %q, want no mail", mails[0].To)
			case tt.mailTo != "" && (len(mails) != 1 || mails[0].To != tt.mailTo):
				t.Errorf("mailed %v, want one mail to %s", mails, tt.mailTo)
			}
		})
	}
}

// TestSendLinkHidesUnknownUsers checks that, when unknown users are not revealed, an
// answer says nothing of whether the user exists: the same status and the same bytes.
func TestSendLinkHidesUnknownUsers(t *testing.T) {
	f := newFixture(t, hidingUnknown)
	known := f.post(sendPath, `{"login":"alice"}`)
	unknown := f.post(sendPath, `{"login":"carol"}`)
	noMail := f.post(sendPath, `{"login":"bob"}`)
	if known.Code != unknown.Code || known.Body.String() != unknown.Body.String() ||
		known.Code != noMail.Code || known.Body.String() != noMail.Body.String() {
		t.Errorf("answers differ: known %d %s, unknown %d %s, without e-mail %d %s",
			known.Code, known.Body, unknown.Code, unknown.Body, noMail.Code, noMail.Body)
	}
	if n := len(f.mailer.Sent()); n != 1 {
		t.Errorf("%d mails, want 1 (to the known user)", n)
	}
}

// TestSendLinkMail checks that the e-mail carries a link to the front end with the
// three values DRR's front ends read.
func TestSendLinkMail(t *testing.T) {
	f := newFixture(t)
	l := f.requestLink("alice")
	if l.UserID != alice.ID || l.Timestamp != "1700000000" || l.Signature == "" {
		t.Errorf("link values %+v", l)
	}
}
