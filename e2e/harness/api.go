package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
)

// reply is an answer of the API, kept whole: status, headers and the raw body.
type reply struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// call posts a JSON body to url and returns the whole answer; the body must be JSON.
func call(t *testing.T, url, body string) reply {
	t.Helper()
	r, err := tryCall(url, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryCall is call for goroutines other than the test's, which must not end the test.
func tryCall(url, body string) (reply, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("POST %s: read the answer: %w", url, err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		return r, fmt.Errorf("POST %s: answer %d is not a JSON object: %q", url, resp.StatusCode, raw)
	}
	return r, nil
}

// sendLink asks api for a link for login and returns the answer.
func sendLink(t *testing.T, api, login string) reply {
	t.Helper()
	return call(t, api+"send-reset-password-link/", fmt.Sprintf(`{"login":%q}`, login))
}

// resetWith posts a reset of the link's values with password and returns the answer.
func resetWith(t *testing.T, api string, link url.Values, password string) reply {
	t.Helper()
	return call(t, api+"reset-password/", resetBody(link, password))
}

func resetBody(link url.Values, password string) string {
	b, _ := json.Marshal(map[string]any{"user_id": link.Get("user_id"), "timestamp": json.Number(link.Get("timestamp")),
		"signature": link.Get("signature"), "password": password})
	return string(b)
}

// wantDetail fails the test unless the answer is status with {"detail": detail}.
func wantDetail(t *testing.T, what string, r reply, status int, detail string) {
	t.Helper()
	if r.status != status || len(r.body) != 1 || r.body["detail"] != detail {
		t.Fatalf("%s: %d %s, want %d {\"detail\":%q}", what, r.status, r.raw, status, detail)
	}
}

var linkPattern = regexp.MustCompile(`https://frontend\.example/reset-password/\?\S+`)

// linkIn returns the query of the one reset link in a mail.
func linkIn(t *testing.T, m sendgridtest.Message) url.Values {
	t.Helper()
	links := linkPattern.FindAllString(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("want one link in the mail to %s, found %d: %q", m.To, len(links), m.Text)
	}
	u, err := url.Parse(links[0])
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// mailsTo returns the messages of kind that sg accepted for the address to.
func mailsTo(sg *sendgridtest.Server, to, kind string) []sendgridtest.Message {
	var got []sendgridtest.Message
	for _, m := range sg.Messages() {
		if m.To == to && m.Kind == kind {
			got = append(got, m)
		}
	}
	return got
}

// awaitMails waits until sg has accepted n messages of kind for to, and returns them.
func awaitMails(t *testing.T, sg *sendgridtest.Server, to, kind string, n int) []sendgridtest.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if got := mailsTo(sg, to, kind); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s %d %s mails to %s, want %d (%d attempts in all)",
				len(mailsTo(sg, to, kind)), kind, to, n, sg.Attempts())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// userDoc reads the stored document of the user with the given _id.
func userDoc(t *testing.T, db *mongo.Database, id any) bson.M {
	t.Helper()
	var doc bson.M
	if err := db.Collection("users").FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		t.Fatalf("read user %v: %v", id, err)
	}
	return doc
}

// tamper returns signature with one character changed.
func tamper(signature string) string {
	c := byte('A')
	if signature[0] == c {
		c = 'B'
	}
	return string(c) + signature[1:]
}

// throttledDetail is DRF's answer to a client over its rate.
var throttledDetail = regexp.MustCompile(`^Request was throttled\. Expected available in (\d+) seconds?\.$`)

// wantThrottled fails the test unless r is a 429 that tells the client to wait
// between 1 and max seconds, in the body and in Retry-After alike.
func wantThrottled(t *testing.T, what string, r reply, maxWait int) {
	t.Helper()
	detail, _ := r.body["detail"].(string)
	m := throttledDetail.FindStringSubmatch(detail)
	if r.status != http.StatusTooManyRequests || len(r.body) != 1 || m == nil {
		t.Fatalf("%s: %d %s, want 429 with DRF's throttled detail", what, r.status, r.raw)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 || n > maxWait || (n == 1) != strings.HasSuffix(detail, " second.") {
		t.Fatalf("%s: %q: want a wait of 1 to %d seconds, worded as such", what, detail, maxWait)
	}
	if got := r.header.Get("Retry-After"); got != m[1] {
		t.Fatalf("%s: Retry-After %q, the body says %s seconds", what, got, m[1])
	}
}
