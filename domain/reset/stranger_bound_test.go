package reset_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// keyCounter is an outbox that notes the limit keys of the links it counts.
type keyCounter struct {
	ports.Outbox
	keys    map[string]int // events recorded by key
	counted int            // links counted
}

func (k *keyCounter) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	id, refused, err := k.Outbox.AddLimited(ctx, m, now)
	if err == nil && refused < 0 {
		k.counted++
		for _, l := range m.Limits {
			k.keys[l.Key]++
		}
	}
	return id, refused, err
}

// TestStrangersStoreBounded is issue 18's item 9: every unknown login had a
// stand-in of its own, with a cooldown and a daily key, so a stream of new logins
// made two keys and counted (stored) a link each, without bound until the daily
// purge (with the hourly cap off). Unknown logins now share a ring of
// StrangerSlots stand-ins: 1,000 new logins over 17 minutes with 16 slots, a daily
// cap of 2 and no hourly cap make at most 32 keys and count at most 32 links (16
// slots x the daily cap of 2). On the default ring of 8,192 the same stream (3,600
// new logins an hour) finds a slot used by another login about 10 times (some 7
// pairs within a cooldown, 2 or 3 triples in a day are expected): the price of the
// bound, a refusal a known user would not meet, at most 20 here (12 with this key).
func TestStrangersStoreBounded(t *testing.T) {
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com", LinkCooldown: time.Minute, LinkDailyCap: 2, Secret: []byte(secretKey)}
	stream := func(slots int) *keyCounter {
		cfg.StrangerSlots = slots
		clock := &stepClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		box := &keyCounter{Outbox: memory.NewStore(clock, memory.OutboxBounds{}).Outbox, keys: map[string]int{}}
		sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg,
			Users: memory.NewUserStore([]string{"username"}), Outbox: outbox.NewQueue(box, nil),
			Signer: link.NewSigner([]byte(secretKey), false), Clock: clock, Emails: reset.DefaultEmails(),
			Audit: audit.New(nil)})
		for i := range 1000 {
			clock.now = clock.now.Add(time.Second)
			if err := sender.Send(context.Background(), reset.Lookup{Value: fmt.Sprint("guess", i)}); err != nil {
				t.Fatal(err)
			}
		}
		return box
	}
	box := stream(16)
	strangerKeys := 0
	for k := range box.keys {
		if strings.Contains(k, ":unknown-") {
			strangerKeys++
		}
	}
	if strangerKeys > 32 || box.counted > 32 {
		t.Fatalf("1,000 unknown logins on 16 slots made %d keys and counted %d links; want at most 32 of each", strangerKeys, box.counted)
	}
	if box := stream(0); box.counted < 980 {
		t.Fatalf("1,000 unknown logins on the default ring counted %d links; want collisions to turn away at most 20", box.counted)
	}
}
