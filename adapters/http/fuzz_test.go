package http_test

import (
	"testing"
)

// fuzzTypes are the content types the fuzzers pick from by a byte of their input,
// so that every parser sees arbitrary bodies.
var fuzzTypes = []string{
	"", jsonType, "application/json; charset=latin-1", formType,
	"multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain", "application/json; =",
}

func fuzzAPI(f *testing.F, path string, seeds ...string) {
	fx := newFixture(f, withConfirm)
	for _, s := range seeds {
		for i := range fuzzTypes {
			f.Add([]byte(s), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, kind uint8) {
		contentType := fuzzTypes[int(kind)%len(fuzzTypes)]
		fx.logs.Reset() // the fuzzer runs for long; the lines are not looked at
		rec := fx.do("POST", path, contentType, string(body))
		if rec.Code >= 500 {
			t.Fatalf("%d for %q (%s): %s", rec.Code, body, contentType, rec.Body)
		}
	})
}

// FuzzSendLink checks that no body, whatever its type says, makes the API fail on its side.
func FuzzSendLink(f *testing.F) {
	fuzzAPI(f, sendPath,
		`{"login":"alice"}`, `{"login":123}`, `{"login":null}`, `[]`, `null`, `"x"`, `{`,
		`{"login":"\ud800","login\udc00":"\u001c\u0000"}`, `{"login":"\ud800\u`,
		"login=alice", "--xyz\r\nContent-Disposition: form-data; name=\"login\"\r\n\r\nalice\r\n--xyz--\r\n")
}

// FuzzReset checks the same of reset-password.
func FuzzReset(f *testing.F) {
	fuzzAPI(f, resetPath,
		`{"user_id":"1","timestamp":1700000000,"signature":"abc","password":"x","password_confirm":"x"}`,
		`{"user_id":1,"timestamp":"1e400","signature":"","password":null}`,
		`{"timestamp":"99999999999999999999999"}`, `{"timestamp":-9223372036854775808}`,
		`{"timestamp":1e308}`, "user_id=1&timestamp=1.0&signature=a&password=p&password_confirm=p", `[1,2]`,
		`{"password":"\ud800\udc00\udbff","password":"x\u0000\u001c","timestamp":"\u0661_2\u001f"}`,
		`{"signature":"\ud83d\ude00\\ud800","user_id":"\udfff"}`)
}
