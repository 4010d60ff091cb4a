package app

import (
	"context"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

// TestReplyTo: VERIFICATION_REPLY_TO_EMAIL reaches every message as it goes to
// the provider, and a value that is not an address is refused at start.
func TestReplyTo(t *testing.T) {
	for _, addr := range []string{"Support <support@example.com>", ""} {
		sink := memory.NewMailer()
		p := withReplyTo(addr, sink)
		if _, err := p.Send(context.Background(), ports.Message{To: "ann@example.com", Subject: "s"}); err != nil {
			t.Fatal(err)
		}
		if got := sink.Sent()[0].ReplyTo; got != addr {
			t.Errorf("VERIFICATION_REPLY_TO_EMAIL=%q: the message went out with Reply-To %q", addr, got)
		}
	}
	_, err := Load([]string{"VERIFICATION_REPLY_TO_EMAIL=support at example"})
	if err == nil || !strings.Contains(err.Error(), `VERIFICATION_REPLY_TO_EMAIL "support at example" is not an e-mail address`) {
		t.Errorf("Load with a bad Reply-To: %v", err)
	}
}
