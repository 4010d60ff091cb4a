package outbox

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// requestLinks asks for a link for each user and checks every answer is a 200.
// That answers do not wait on the mail is TestAnswersDoNotWaitOnTheMail's to prove.
func requestLinks(t *testing.T, api string, users []int) {
	t.Helper()
	for _, i := range users {
		status, body := harness.Post(t, api+"send-reset-password-link/", fmt.Sprintf(`{"login":"user%d"}`, i))
		if status != 200 {
			t.Fatalf("link for user%d: %d %v", i, status, body)
		}
	}
}

// TestAnswersDoNotWaitOnTheMail: while the mail provider hangs for 30 s on a message,
// link requests are still answered, each within 20 s, a bound that leaves a busy
// machine room and that an answer waiting on the mail could not keep.
func TestAnswersDoNotWaitOnTheMail(t *testing.T) {
	const hang, bound = 30 * time.Second, 20 * time.Second
	db := mongotest.NewDatabase(t)
	harness.SeedUsers(t, db, 4)
	sg := sendgridtest.New(t)
	sg.SetDelay(hang)
	_, api := harness.Serve(t, mongotest.URI(t), db.Name(),
		append(harness.MailEnv(sg), "SENDGRID_TIMEOUT=45s", "MAIL_LEASE=60s", "MAIL_WORKERS=1")...)
	requestLinks(t, api, users(0, 1))
	deadline := time.Now().Add(bound)
	for sg.Attempts() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the first link was not handed to the provider within %s", bound)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The one worker is now stuck with the provider for 30 s.
	for _, i := range users(1, 4) {
		start := time.Now()
		requestLinks(t, api, []int{i})
		if took := time.Since(start); took > bound {
			t.Fatalf("link for user%d took %v while the provider hangs for %s: the answer waited on the mail", i, took, hang)
		}
	}
	if n := len(sg.Messages()); n != 0 {
		t.Fatalf("the provider accepted %d messages while hanging: the test did not hold the mail", n)
	}
}

func users(from, to int) []int {
	var u []int
	for i := from; i < to; i++ {
		u = append(u, i)
	}
	return u
}

// TestMailSurvivesSendGridOutage: while SendGrid refuses connections, then answers 503,
// then 429 with Retry-After, links are requested; every request is answered 200 at
// once, and after SendGrid recovers every message is delivered exactly once.
func TestMailSurvivesSendGridOutage(t *testing.T) {
	db := mongotest.NewDatabase(t)
	harness.SeedUsers(t, db, 9)
	sg := sendgridtest.New(t)
	p, api := harness.Serve(t, mongotest.URI(t), db.Name(), harness.MailEnv(sg)...)

	sg.SetDown(true)
	requestLinks(t, api, users(0, 3))
	time.Sleep(500 * time.Millisecond)
	sg.SetDown(false)
	sg.FailNext(sendgridtest.Forever, http.StatusServiceUnavailable, nil)
	requestLinks(t, api, users(3, 6))
	time.Sleep(500 * time.Millisecond)
	sg.FailNext(sendgridtest.Forever, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}})
	requestLinks(t, api, users(6, 9))
	time.Sleep(500 * time.Millisecond)
	if n := len(sg.Messages()); n != 0 {
		t.Fatalf("%d messages accepted while SendGrid was failing", n)
	}
	sg.FailNext(0, 0, nil)
	harness.AwaitDelivery(t, sg, 9, 0)
	harness.AssertNoLinkLogged(t, p)
	assertOutboxHoldsNoLink(t, db)
}

// TestPermanentRefusal: a 400 from SendGrid fails the message with SendGrid's reason and
// is not retried; `pwreset outbox retry --failed` sends it again with a fresh link.
func TestPermanentRefusal(t *testing.T) {
	db := mongotest.NewDatabase(t)
	harness.SeedUsers(t, db, 1)
	sg := sendgridtest.New(t)
	env := append(harness.ServiceEnv(mongotest.URI(t), db.Name()), harness.MailEnv(sg)...)
	_, api := harness.Serve(t, mongotest.URI(t), db.Name(), harness.MailEnv(sg)...)
	sg.FailNext(1, http.StatusBadRequest, nil, sendgridtest.APIError{
		Message: "The from address does not match a verified Sender Identity.", Field: "from"})
	requestLinks(t, api, []int{0})
	stats := harness.AwaitOutput(t, env, "failed     1", "outbox")
	time.Sleep(time.Second) // long enough for retries, were there any
	if sg.Attempts() != 1 {
		t.Fatalf("%d attempts; a permanent refusal must not be retried", sg.Attempts())
	}
	var doc bson.M
	if err := db.Collection("outbox").FindOne(context.Background(), bson.D{{Key: "state", Value: "failed"}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if reason := fmt.Sprint(doc["last_error"]); !strings.Contains(reason, "verified Sender Identity") {
		t.Fatalf("failed message's reason %q lacks SendGrid's; stats:\n%s", reason, stats)
	}
	out := harness.RunTool(t, env, "outbox", "retry", "--failed")
	if !strings.Contains(out, "requeued") {
		t.Fatalf("retry printed %q", out)
	}
	harness.AwaitDelivery(t, sg, 1, 0)
	harness.AwaitOutput(t, env, "failed     0", "outbox")
}

// TestKilledServiceLosesNoMail kills a service with -9 while messages are pending and
// one is being sent; a new process delivers every accepted message.
func TestKilledServiceLosesNoMail(t *testing.T) {
	db := mongotest.NewDatabase(t)
	harness.SeedUsers(t, db, 6)
	sg := sendgridtest.New(t)
	sg.SetDown(true) // nothing goes out before the kill
	p, api := harness.Serve(t, mongotest.URI(t), db.Name(), append(harness.MailEnv(sg), "MAIL_WORKERS=1")...)
	requestLinks(t, api, users(0, 6))
	sg.SetDelay(800 * time.Millisecond) // the next send is in flight when the kill comes
	sg.SetDown(false)
	deadline := time.Now().Add(10 * time.Second)
	for sg.Attempts() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.Cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.Wait()
	sg.SetDelay(0)
	harness.Serve(t, mongotest.URI(t), db.Name(), harness.MailEnv(sg)...)
	harness.AwaitDelivery(t, sg, 6, 1)
}

// TestTwoProcessesShareOneOutbox: two services on one outbox under load deliver every
// message once.
func TestTwoProcessesShareOneOutbox(t *testing.T) {
	const n = 30
	db := mongotest.NewDatabase(t)
	harness.SeedUsers(t, db, n)
	sg := sendgridtest.New(t)
	sg.SetDown(true) // a backlog builds up that both processes then compete for
	// Once means no lease runs out mid-send, which only a lease far longer than any
	// send can promise on a busy machine: an expired lease is redelivered by design
	// (TestKilledServiceLosesNoMail), and two seconds can pass in a starved process.
	env := append(harness.MailEnv(sg), "MAIL_LEASE=40s", "SENDGRID_TIMEOUT=10s")
	_, apiA := harness.Serve(t, mongotest.URI(t), db.Name(), env...)
	_, apiB := harness.Serve(t, mongotest.URI(t), db.Name(), env...)
	requestLinks(t, apiA, users(0, n/2))
	requestLinks(t, apiB, users(n/2, n))
	sg.SetDown(false)
	harness.AwaitDelivery(t, sg, n, 0)
}

// assertOutboxHoldsNoLink waits for every message to be recorded sent (SendGrid
// accepting a message comes before the dispatcher stores that it did), then checks
// that no document holds a link.
func assertOutboxHoldsNoLink(t *testing.T, db *mongo.Database) {
	t.Helper()
	var docs []bson.M
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		cur, err := db.Collection("outbox").Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		docs = nil
		if err := cur.All(context.Background(), &docs); err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(docs, func(d bson.M) bool { return d["state"] != "sent" }) || time.Now().After(deadline) {
			break
		}
	}
	if len(docs) == 0 {
		t.Fatal("the outbox is empty: no metadata was kept")
	}
	for _, d := range docs {
		if s := fmt.Sprint(d); strings.Contains(s, "signature=") || d["state"] != "sent" {
			t.Fatalf("outbox document after delivery: %s", s)
		}
	}
}
