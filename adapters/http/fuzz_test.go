package http_test

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzTypes are the content types the fuzzers pick from by a byte of their input,
// so that every parser sees arbitrary bodies.
var fuzzTypes = []string{
	"", jsonType, "application/json; charset=latin-1", formType,
	"multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain", "application/json; =",
}

func fuzzAPI(f *testing.F, path string, seeds ...string) {
	fuzzPost(f, newFixture(f, withConfirm), path, nil, seeds...)
}

// fuzzPost posts the fuzzer's bodies to path: none may answer 5xx, and each answer
// must pass check, if given.
func fuzzPost(f *testing.F, fx *fixture, path string, check func(*testing.T, *httptest.ResponseRecorder), seeds ...string) {
	for _, s := range seeds {
		for i := range fuzzTypes {
			f.Add([]byte(s), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, kind uint8) {
		contentType := fuzzTypes[int(kind)%len(fuzzTypes)]
		fx.logs.Reset() // the fuzzer runs for long; the lines are not looked at
		rec := fx.do("POST", path, contentType, string(body), "Sec-Fetch-Site", "same-origin")
		if rec.Code >= 500 {
			t.Fatalf("%d for %q (%s): %s", rec.Code, body, contentType, rec.Body)
		}
		if check != nil {
			check(t, rec)
		}
	})
}

// FuzzPageReset checks that no body posted to the page's form for the new password
// makes it fail on its side, and that the page it answers carries nothing of the
// body that could run.
func FuzzPageReset(f *testing.F) {
	fx := newFixture(f, withPage, withConfirm)
	l := fx.requestLink("alice")
	link := "user_id=" + l.UserID + "&timestamp=" + l.Timestamp + "&signature=" + l.Signature
	fuzzPost(f, fx, pagePath+"new-password", checkPageAnswer,
		link+"&password=abc&password_confirm=abd&username=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
		link+"&password="+newPassword+"&password_confirm="+newPassword, "user_id=%3Cscript%3E&timestamp=1&signature=a",
		`{"user_id":"1","password":"x"}`, "--xyz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n\"><img src=x onerror=alert(1)>\r\n--xyz--\r\n")
}

// FuzzPageNewLink checks the same of the page's form that asks for a new link.
func FuzzPageNewLink(f *testing.F) {
	fuzzPost(f, newFixture(f, withPage), pagePath+"new-link", checkPageAnswer,
		"login=alice", "login=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", "login=", `{"login":"nobody"}`, "email=a@b")
}

// checkPageAnswer fails unless the answer is the page, with its one script and
// style and no element that a posted value could have smuggled in.
func checkPageAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	body := rec.Body.String()
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || strings.Count(body, "<script") != 1 ||
		strings.Count(body, "<style") != 1 || strings.Contains(body, "<img") {
		t.Fatalf("answer %d %s:\n%s", rec.Code, rec.Header().Get("Content-Type"), body)
	}
}
