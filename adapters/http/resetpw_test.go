package http_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	resetDone        = `{"detail":"Reset password successful"}`
	invalidSignature = `{"detail":"Invalid signature"}`
	signatureExpired = `{"detail":"Signature expired"}`
)

// enabled undoes disabled, to get a link from a fixture that is otherwise the same.
func enabled(s *setup) { s.reset.Enabled = true }

// num writes a JSON number as given.
func num(s string) json.RawMessage { return json.RawMessage(s) }

// long5000 is a 5,000-character password that passes the policy.
var long5000 = strings.Repeat("blue Heron 42 ", 357) + "!!"

func TestResetPassword(t *testing.T) {
	type body = func(l resetLink) string
	with := func(password string, extra map[string]any) body {
		return func(l resetLink) string { return l.body(password, extra) }
	}
	raw := func(s string) body { return func(resetLink) string { return s } }
	// escaped puts password into the JSON as written, escapes and all.
	escaped := func(password string) body {
		return func(l resetLink) string {
			return strings.Replace(l.body("PASSWORD", nil), `"PASSWORD"`, `"`+password+`"`, 1)
		}
	}
	twice := func(first, last string) body {
		return func(l resetLink) string {
			return strings.Replace(l.body("PASSWORD", nil), `"password":"PASSWORD"`,
				`"password":"`+first+`","password":"`+last+`"`, 1)
		}
	}
	tests := []struct {
		name    string
		opts    []option
		body    body
		status  int
		want    string
		changed string // the password set; empty: the hash must not change
	}{
		{"valid link, acceptable password", nil, with(newPassword, nil), 200, resetDone, newPassword},
		{"user_id a number", nil, with(newPassword, map[string]any{"user_id": 1}), 200, resetDone, newPassword},
		{"user_id trimmed", nil, with(newPassword, map[string]any{"user_id": " 1 "}), 200, resetDone, newPassword},
		{"timestamp a number", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": num(l.Timestamp)})
		}, 200, resetDone, newPassword},
		{"timestamp an integral float", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": num(l.Timestamp + ".0")})
		}, 200, resetDone, newPassword},
		{"timestamp in exponent form", nil, with(newPassword, map[string]any{"timestamp": num("1.7e9")}), 200, resetDone, newPassword},
		{"timestamp with spaces and .0", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": " " + l.Timestamp + ".00 "})
		}, 200, resetDone, newPassword},
		{"password trimmed, as DRF trims it", nil, with(" "+newPassword+" ", nil), 200, resetDone, newPassword},
		{"password trimmed of Python's whitespace", nil, with("\u001c\u00a0\t"+newPassword+"\u2028\u001f", nil), 200, resetDone, newPassword},
		{"inner whitespace kept", nil, with("blue Heron\u001c42", nil), 200, resetDone, "blue Heron\u001c42"},
		{"surrogate pair kept", nil, escaped(`\ud83d\ude00` + newPassword), 200, resetDone, "\U0001F600" + newPassword},
		{"escaped backslash, no surrogate", nil, escaped(`\\ud800` + newPassword), 200, resetDone, `\ud800` + newPassword},
		{"repeated key, the last without a surrogate", nil, twice(`\ud800`+newPassword, newPassword), 200, resetDone, newPassword},
		{"user_id and signature trimmed of Python's whitespace", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"user_id": "\u001f1\u001c", "signature": "\u001e" + l.Signature + "\u3000"})
		}, 200, resetDone, newPassword},
		{"timestamp with Python's whitespace", nil, func(l resetLink) string {
			// DRF cuts ".0" and re's whitespace (U+001F too), then int() strips its own.
			return l.body(newPassword, map[string]any{"timestamp": "\u00a0\u2003" + l.Timestamp + ".0\u001f\u00a0"})
		}, 200, resetDone, newPassword},
		{"timestamp with underscores", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": l.Timestamp[:1] + "_" + l.Timestamp[1:]})
		}, 200, resetDone, newPassword},
		{"timestamp in Arabic-Indic digits", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": arabicIndic(l.Timestamp)})
		}, 200, resetDone, newPassword},
		{"confirm trimmed like the password", []option{withConfirm}, with(" "+newPassword, map[string]any{"password_confirm": newPassword + "\u001c"}), 200, resetDone, newPassword},
		{"password_confirm ignored when off", nil, with(newPassword, map[string]any{"password_confirm": "other"}), 200, resetDone, newPassword},
		{"confirmed", []option{withConfirm}, with(newPassword, map[string]any{"password_confirm": newPassword}), 200, resetDone, newPassword},
		// DRR takes a password of any length (issue 20: 5,000 characters, 200 there).
		{"5,000-character password", nil, with(long5000, nil), 200, resetDone, long5000},
		{"5,000 characters as escaped surrogate pairs", nil, escaped(strings.Repeat(`\ud83d\ude00`, 4999) + "x"), 200, resetDone,
			strings.Repeat("\U0001F600", 4999) + "x"},
		{"reset body over 64 KiB", nil, with(strings.Repeat("x", 64<<10), nil), 413, `{"detail":"Request body is too large."}`, ""},

		{"missing fields", nil, raw(`{}`), 400, `{"user_id":["This field is required."],"timestamp":["This field is required."],` +
			`"signature":["This field is required."],"password":["This field is required."]}`, ""},
		{"empty body", nil, raw(``), 400, `{"user_id":["This field is required."],"timestamp":["This field is required."],` +
			`"signature":["This field is required."],"password":["This field is required."]}`, ""},
		{"password missing", nil, with(newPassword, map[string]any{"password": nil}), 400, `{"password":["This field is required."]}`, ""},
		{"blank fields", nil, raw(`{"user_id":"","timestamp":"","signature":"","password":""}`), 400,
			`{"user_id":["This field may not be blank."],"timestamp":["A valid integer is required."],` +
				`"signature":["This field may not be blank."],"password":["This field may not be blank."]}`, ""},
		{"null fields", nil, raw(`{"user_id":null,"timestamp":null,"signature":null,"password":null}`), 400,
			`{"user_id":["This field may not be null."],"timestamp":["This field may not be null."],` +
				`"signature":["This field may not be null."],"password":["This field may not be null."]}`, ""},
		{"password only whitespace", nil, with("   ", nil), 400, `{"password":["This field may not be blank."]}`, ""},
		{"password of information separators only", nil, with(strings.Repeat("\u001c", 12), nil), 400, `{"password":["This field may not be blank."]}`, ""},
		{"password with a NUL", nil, with(newPassword+"\x00", nil), 400, `{"password":["Null characters are not allowed."]}`, ""},
		{"password of a NUL, not blank", nil, with(" \x00 ", nil), 400, `{"password":["Null characters are not allowed."]}`, ""},
		{"password with an unpaired high surrogate", nil, escaped(newPassword + `\ud800`), 400, `{"password":["Surrogate characters are not allowed: U+D800."]}`, ""},
		{"password with an unpaired low surrogate", nil, escaped(`\uDC0f` + newPassword), 400, `{"password":["Surrogate characters are not allowed: U+DC0F."]}`, ""},
		{"password with a high surrogate before a pair", nil, escaped(`\ud800\ud83d\ude00` + newPassword), 400, `{"password":["Surrogate characters are not allowed: U+D800."]}`, ""},
		{"password with a high surrogate before another escape", nil, escaped(`\udbff\u0041` + newPassword), 400, `{"password":["Surrogate characters are not allowed: U+DBFF."]}`, ""},
		{"password with a NUL and a surrogate", nil, escaped(`\u0000` + newPassword + `\udfff`), 400,
			`{"password":["Null characters are not allowed.","Surrogate characters are not allowed: U+DFFF."]}`, ""},
		{"repeated key, the last with a surrogate", nil, twice(newPassword, `\ud800`+newPassword), 400, `{"password":["Surrogate characters are not allowed: U+D800."]}`, ""},
		{"user_id with a NUL", nil, with(newPassword, map[string]any{"user_id": "1\x00"}), 400, `{"user_id":["Null characters are not allowed."]}`, ""},
		{"signature with a surrogate", nil, func(l resetLink) string {
			return strings.Replace(l.body(newPassword, nil), l.Signature, l.Signature+`\udc00`, 1)
		}, 400, `{"signature":["Surrogate characters are not allowed: U+DC00."]}`, ""},
		{"confirm with a NUL", []option{withConfirm}, with(newPassword, map[string]any{"password_confirm": newPassword + "\x00"}), 400,
			`{"password_confirm":["Null characters are not allowed."]}`, ""},
		{"timestamp with a NUL", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": l.Timestamp + "\x00"})
		}, 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp after an information separator", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": "\u001c" + l.Timestamp})
		}, 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp with a doubled underscore", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": l.Timestamp[:1] + "__" + l.Timestamp[1:]})
		}, 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp with a trailing underscore", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"timestamp": l.Timestamp + "_"})
		}, 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"user_id a bool", nil, with(newPassword, map[string]any{"user_id": true}), 400, `{"user_id":["Not a valid string."]}`, ""},
		{"timestamp a fraction", nil, with(newPassword, map[string]any{"timestamp": 1.5}), 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp a fraction in a string", nil, with(newPassword, map[string]any{"timestamp": "1.5"}), 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp not a number", nil, with(newPassword, map[string]any{"timestamp": "abc"}), 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp a bool", nil, with(newPassword, map[string]any{"timestamp": true}), 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp beyond int64", nil, with(newPassword, map[string]any{"timestamp": "99999999999999999999"}), 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp a huge float", nil, with(newPassword, map[string]any{"timestamp": num("1e20")}), 400, `{"timestamp":["A valid integer is required."]}`, ""},
		{"timestamp string too long", nil, with(newPassword, map[string]any{"timestamp": strings.Repeat("1", 1001)}), 400, `{"timestamp":["String value too large."]}`, ""},

		{"confirm missing", []option{withConfirm}, with(newPassword, nil), 400, `{"password_confirm":["This field is required."]}`, ""},
		{"confirm blank", []option{withConfirm}, with(newPassword, map[string]any{"password_confirm": ""}), 400, `{"password_confirm":["This field may not be blank."]}`, ""},
		{"confirm null", []option{withConfirm}, with(newPassword, map[string]any{"password_confirm": num("null")}), 400, `{"password_confirm":["This field may not be null."]}`, ""},
		{"confirm missing with other errors", []option{withConfirm}, with(newPassword, map[string]any{"password": nil, "signature": ""}), 400,
			`{"password":["This field is required."],"signature":["This field may not be blank."],"password_confirm":["This field is required."]}`, ""},

		{"signature tampered", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"signature": flipLast(l.Signature)})
		}, 400, invalidSignature, ""},
		{"signature in another spelling", nil, func(l resetLink) string {
			return l.body(newPassword, map[string]any{"signature": respell(l.Signature)})
		}, 400, invalidSignature, ""},
		{"signature not base64", nil, with(newPassword, map[string]any{"signature": "!!!"}), 400, invalidSignature, ""},
		{"user_id tampered", nil, with(newPassword, map[string]any{"user_id": numbers.ID}), 400, invalidSignature, ""},
		{"unknown user_id", nil, with(newPassword, map[string]any{"user_id": "999"}), 400, invalidSignature, ""},
		{"timestamp tampered", nil, with(newPassword, map[string]any{"timestamp": "1700000001"}), 400, invalidSignature, ""},

		{"password too common", nil, with("password", nil), 400, `{"password":["This password is too common."],"non_field_errors":[]}`, ""},
		{"password numeric and common", nil, with("12345678", nil), 400,
			`{"password":["This password is too common.","This password is entirely numeric."],"non_field_errors":[]}`, ""},
		{"password too short", nil, with("xq7#", nil), 400,
			`{"password":["This password is too short. It must contain at least 8 characters."],"non_field_errors":[]}`, ""},
		{"password like the username", nil, with("xalicex9", nil), 400,
			`{"password":["The password is too similar to the username."],"non_field_errors":[]}`, ""},
		{"confirm mismatch", []option{withConfirm}, with(newPassword, map[string]any{"password_confirm": newPassword + "!"}), 400,
			`{"password_confirm":["Passwords don't match"],"non_field_errors":[]}`, ""},
		{"confirm mismatch and policy errors", []option{withConfirm}, with("12345678", map[string]any{"password_confirm": "87654321"}), 400,
			`{"password":["This password is too common.","This password is entirely numeric."],"password_confirm":["Passwords don't match"],"non_field_errors":[]}`, ""},

		{"disabled", []option{disabled}, with(newPassword, nil), 404, `{"detail":"Not found."}`, ""},
		{"disabled, whatever the body", []option{disabled}, raw(`[`), 404, `{"detail":"Not found."}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Links are signed with the shared secret at the shared start time, so one
			// from an enabled twin of the fixture is valid on it.
			l := newFixture(t, append(tt.opts, enabled)...).requestLink("alice")
			f := newFixture(t, tt.opts...)
			expect(t, f.post(resetPath, tt.body(l)), tt.status, tt.want)
			want := hashOf(oldPassword)
			if tt.changed != "" {
				want = hashOf(tt.changed)
			}
			if got := f.hash(alice.ID); got != want {
				t.Errorf("stored hash %q, want %q", got, want)
			}
			if n := len(f.mailer.Sent()); n != 0 {
				t.Errorf("%d mails sent by a reset", n)
			}
		})
	}
}

func flipLast(s string) string {
	last := s[len(s)-1]
	if last == 'A' {
		return s[:len(s)-1] + "B"
	}
	return s[:len(s)-1] + "A"
}

// respell changes the unused low bits of a signature's last character.
func respell(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[i^1])
}

// arabicIndic writes the ASCII digits of s in Arabic-Indic digits, which Python's
// int() reads as well.
func arabicIndic(s string) string {
	return strings.Map(func(r rune) rune { return r - '0' + '\u0660' }, s)
}

// TestResetPasswordForms checks that the front end may post the reset as a form.
func TestResetPasswordForms(t *testing.T) {
	tests := []struct {
		name string
		enc  func(url.Values) (contentType, body string)
	}{
		{"form-urlencoded", func(v url.Values) (string, string) { return formType, v.Encode() }},
		{"multipart", func(v url.Values) (string, string) {
			fields := map[string]string{}
			for k := range v {
				fields[k] = v.Get(k)
			}
			b, ct := multipartOf(fields)
			return ct, b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, withConfirm)
			l := f.requestLink("alice")
			ct, b := tt.enc(url.Values{"user_id": {l.UserID}, "timestamp": {l.Timestamp},
				"signature": {l.Signature}, "password": {newPassword}, "password_confirm": {newPassword}})
			expect(t, f.do("POST", resetPath, ct, b), 200, resetDone)
			if got := f.hash(alice.ID); got != hashOf(newPassword) {
				t.Errorf("stored hash %q", got)
			}
		})
	}
}

// TestResetPasswordTwice checks what a used link is worth: nothing when links are
// one-time, another reset otherwise.
func TestResetPasswordTwice(t *testing.T) {
	tests := []struct {
		name   string
		opts   []option
		status int
		want   string
		hash   string
	}{
		{"one-time links", []option{oneTime}, 400, invalidSignature, hashOf(newPassword)},
		{"reusable links", nil, 200, resetDone, hashOf(newPassword + "2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts...)
			l := f.requestLink("alice")
			expect(t, f.post(resetPath, l.body(newPassword, nil)), 200, resetDone)
			expect(t, f.post(resetPath, l.body(newPassword+"2", nil)), tt.status, tt.want)
			if got := f.hash(alice.ID); got != tt.hash {
				t.Errorf("stored hash %q, want %q", got, tt.hash)
			}
		})
	}
}

// TestResetPasswordOlderLink checks that a one-time link dies when the password changes
// through another link issued after it.
func TestResetPasswordOlderLink(t *testing.T) {
	f := newFixture(t, oneTime)
	older := f.requestLink("alice")
	f.clock.Add(time.Second)
	newer := f.requestLink("alice")
	expect(t, f.post(resetPath, newer.body(newPassword, nil)), 200, resetDone)
	expect(t, f.post(resetPath, older.body(newPassword+"2", nil)), 400, invalidSignature)
	if got := f.hash(alice.ID); got != hashOf(newPassword) {
		t.Errorf("stored hash %q", got)
	}
}

// TestResetPasswordAge checks the validity period at its edges.
func TestResetPasswordAge(t *testing.T) {
	tests := []struct {
		name   string
		moved  time.Duration
		status int
		want   string
	}{
		{"fresh", 0, 200, resetDone},
		{"exactly at the period", period, 200, resetDone},
		{"past the period", period + time.Second, 400, signatureExpired},
		{"long past the period", 30 * period, 400, signatureExpired},
		{"issued in the future", -2 * time.Minute, 400, invalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			l := f.requestLink("alice")
			f.clock.Add(tt.moved)
			expect(t, f.post(resetPath, l.body(newPassword, nil)), tt.status, tt.want)
			want := hashOf(oldPassword)
			if tt.status == 200 {
				want = hashOf(newPassword)
			}
			if got := f.hash(alice.ID); got != want {
				t.Errorf("stored hash %q, want %q", got, want)
			}
		})
	}
}

// TestResetPasswordFormBytes: a form's password is the one Django reads from the
// same bytes: broken UTF-8 is one U+FFFD per broken part, a "%" without hex digits
// and a ";" are kept as typed (curl -d sends them so), "+" is a space.
func TestResetPasswordFormBytes(t *testing.T) {
	tests := []struct{ name, sent, stored string }{
		{"broken UTF-8", "%E2%82" + newPassword + "%FF%FE", "\uFFFD" + newPassword + "\uFFFD\uFFFD"},
		{"a bare percent", "100%sure-" + newPassword, "100%sure-" + newPassword},
		{"a percent and one hex digit", newPassword + "%4", newPassword + "%4"},
		{"a semicolon", newPassword + ";x=1", newPassword + ";x=1"},
		{"plus signs", "blue+Heron+42%2B", "blue Heron 42+"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			l := f.requestLink("alice")
			body := url.Values{"user_id": {l.UserID}, "timestamp": {l.Timestamp}, "signature": {l.Signature}}.Encode() +
				"&password=" + tt.sent
			expect(t, f.do("POST", resetPath, formType, body), 200, resetDone)
			if got, want := f.hash(alice.ID), hashOf(tt.stored); got != want {
				t.Errorf("stored hash %q, want %q", got, want)
			}
		})
	}
}
