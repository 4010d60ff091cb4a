package mongo

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// users is how many users the campaign reaches. The issue asks for 5,000; on
// FerretDB behind mongotest's one-command-at-a-time proxy the race-detector binary
// queued under 2 users a second on the busy 2-core machine (229 in 2 minutes), so
// 5,000 cannot fit the package's 3-minute budget: the test reaches 250 (42 s at the
// 6 users a second of a quieter moment).
const users = 250

var started = regexp.MustCompile(`campaign (\S+) started`)

// TestKilledOnMongo starts a campaign that marks passwords unusable, kills the
// binary with SIGKILL once half the users are in the outbox, resumes it, and counts
// in the outbox: exactly one e-mail for each user.
func TestKilledOnMongo(t *testing.T) {
	db := mongotest.NewDatabase(t)
	harness.SeedUsers(t, db, users)
	// The campaign only queues: the SendGrid stand-in is never called.
	env := append(append(harness.ServiceEnv(mongotest.URI(t), db.Name()), harness.MailEnv(sendgridtest.New(t))...),
		"MONGODB_TIMEOUT=20s")
	begin := time.Now()
	p := harness.Start(t, env, "campaign", "start", "--rate", "1000000", "--invalidate-passwords")
	id := p.Await(t, started)[1]
	killWhenQueued(t, db, p, users/2)
	out, err := harness.Command(t, env, "campaign", "resume", id).CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	elapsed := time.Since(begin)

	per := map[string]int{}
	cur, err := db.Collection("outbox").Find(context.Background(), bson.D{{Key: "state", Value: "pending"}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []struct {
		Message struct {
			UserID string `bson:"user_id"`
			Kind   string `bson:"kind"`
		} `bson:"message"`
	}
	if err := cur.All(context.Background(), &msgs); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Message.Kind == "breach_reset" {
			per[m.Message.UserID]++
		}
	}
	for i := range users {
		if id := fmt.Sprint(1000 + i); per[id] != 1 {
			t.Errorf("user %s got %d e-mails, want 1", id, per[id])
		}
	}
	if len(per) != users || len(msgs) != users {
		t.Errorf("%d pending messages to %d users, want one to each of %d", len(msgs), len(per), users)
	}
	unusable, err := db.Collection("users").CountDocuments(context.Background(), bson.D{{Key: "password", Value: bson.D{{Key: "$regex", Value: "^!"}}}})
	if err != nil || unusable != users {
		t.Errorf("%d unusable passwords (%v), want %d", unusable, err, users)
	}
	t.Logf("%d users queued in %v with one kill: %.0f users/s (race-detector binary, FerretDB unless MONGODB_TEST_URI)",
		users, elapsed.Round(time.Millisecond), float64(users)/elapsed.Seconds())
}

// killWhenQueued kills p with SIGKILL once the outbox holds n campaign e-mails. It
// waits as long as p runs (no clock: a busy machine is only slower); p ending
// before is a failure.
func killWhenQueued(t *testing.T, db *driver.Database, p *harness.Process, n int) {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- p.Wait() }()
	for {
		queued, err := db.Collection("outbox").CountDocuments(context.Background(), bson.D{{Key: "message.kind", Value: "breach_reset"}})
		if err != nil {
			t.Fatal(err)
		}
		if queued >= int64(n) {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("pwreset ended (%v) with %d e-mails queued, before %d:\n%s", err, queued, n, strings.Join(p.Snapshot(), "\n"))
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := p.Cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	<-exited
}
