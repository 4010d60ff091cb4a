package reset_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// strangerID returns the id of the stand-in a sender with cfg uses for login, as
// the outbox gets it (the message's user id; the limits' keys end with it).
func strangerID(t *testing.T, cfg reset.Config, login string) string {
	t.Helper()
	s, d := newSender(t, cfg, reset.DefaultTemplates(reset.KindResetLink))
	d.users.EXPECT().FindByLogin(gomock.Any(), login).Return(ports.User{}, ports.ErrUserNotFound)
	got := storeLimited(d, -1, nil)
	if err := s.Send(context.Background(), reset.Lookup{Value: login}); err != nil {
		t.Fatal(err)
	}
	for _, l := range got.Limits {
		if strings.Contains(l.Key, ":unknown-") && !strings.HasSuffix(l.Key, got.Message.UserID) {
			t.Fatalf("limit key %q is not of the stand-in %q", l.Key, got.Message.UserID)
		}
	}
	return got.Message.UserID
}

// TestStrangerIDsAreKeyed is issue 18's item 10: the stand-in of an unknown login
// (whose id names its limit keys and its suppressed message in the database) was
// an unsalted SHA-256 of the login, which anyone reading the database could guess
// back from a list of likely logins. It is a keyed hash: the same login gets the
// same stand-in under one key, and another under another key. (Logins share a
// ring of stand-ins, item 9: these few do not meet on the default ring.)
func TestStrangerIDsAreKeyed(t *testing.T) {
	cfg := limited
	cfg.FailWhenUserNotFound = false
	sum := sha256.Sum256([]byte("mallory"))
	unsalted := "unknown-" + hex.EncodeToString(sum[:16])
	id := strangerID(t, cfg, "mallory")
	if id == unsalted || !strings.HasPrefix(id, "unknown-") || len(id) != len(unsalted) {
		t.Fatalf("stand-in of mallory = %q; want a keyed hash, not the unsalted %q", id, unsalted)
	}
	cfg.Secret = key
	keyed := strangerID(t, cfg, "mallory")
	if again := strangerID(t, cfg, "mallory"); again != keyed {
		t.Fatalf("mallory's stand-in changed under one key: %q, then %q", keyed, again)
	}
	cfg.Secret = []byte("another secret of 32 bytes......")
	if other := strangerID(t, cfg, "mallory"); other == keyed || other == unsalted {
		t.Fatalf("mallory's stand-in %q under another key; want a third id (%q, %q)", other, keyed, unsalted)
	}
	if strangerID(t, cfg, "mallory2") == strangerID(t, cfg, "mallory") {
		t.Fatal("two logins share a stand-in")
	}
}

// TestStrangerOverALimitIsAuditedAsUnknown: the audit log and the metrics count a
// stranger's link as suppressed for the unknown login, whichever limit also refused
// it, as before links and limits became one write.
func TestStrangerOverALimitIsAuditedAsUnknown(t *testing.T) {
	cfg := limited
	cfg.FailWhenUserNotFound = false
	s, d, events := operatorSender(t, cfg)
	d.users.EXPECT().FindByLogin(gomock.Any(), "mallory").Return(ports.User{}, ports.ErrUserNotFound)
	storeLimited(d, 0, nil) // the stand-in's cooldown refuses it
	if err := s.Send(context.Background(), reset.Lookup{Value: "mallory"}); err != nil {
		t.Fatal(err)
	}
	want := []ports.Event{{Name: "reset_link.requested"}, {Name: "reset_link.suppressed", Reason: reset.ReasonUnknownUser}}
	if len(*events) != 2 || (*events)[0] != want[0] || (*events)[1] != want[1] {
		t.Fatalf("audit events %+v, want %+v", *events, want)
	}
}
