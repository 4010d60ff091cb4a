package reset_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

var limited = reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend-host/reset-password/",
	From: "noreply@example.com", LinkCooldown: time.Minute, LinkDailyCap: 5, LinksPerHour: 100}

// aliceLimits are the limits of a link to alice under limited, in the order a
// refusal names them.
var aliceLimits = []ports.Limit{
	{Key: "reset_link:cooldown:" + alice.ID, Max: 1, Window: time.Minute, Reason: reset.ReasonCooldown},
	{Key: "reset_link:user:" + alice.ID, Max: 5, Window: 24 * time.Hour, Reason: reset.ReasonDailyCap},
	{Key: "reset_link:global", Max: 100, Window: time.Hour, Reason: reset.ReasonGlobalCap},
}

// storeLimited expects one message stored with its limits, which answers as a
// store would whose limit refused (-1: none) or with err, and returns where the
// message will be once stored.
func storeLimited(d senderDeps, refused int, err error) *ports.LimitedMessage {
	var got ports.LimitedMessage
	d.queue.EXPECT().AddLimited(gomock.Any(), gomock.Any(), now).DoAndReturn(
		func(_ context.Context, m ports.LimitedMessage, _ time.Time) (string, int, error) {
			got = m
			if err != nil {
				return "", 0, err
			}
			return "id", refused, nil
		})
	return &got
}

// TestLinkAndLimitsInOneWrite is the design of issue 17: a link request stores its
// message with its limits in one call (the user's own first, then the hourly cap),
// and calls nothing else: a refusal by any limit counts against none, and a failed
// write, whatever it left, has nothing to take back.
func TestLinkAndLimitsInOneWrite(t *testing.T) {
	for _, c := range []struct {
		name    string
		refused int
		err     error
	}{
		{"sent", -1, nil},
		{"cooldown", 0, nil},
		{"daily cap", 1, nil},
		{"hourly cap", 2, nil},
		{"outbox down", 0, ports.ErrUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink))
			d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
			got := storeLimited(d, c.refused, c.err)
			err := s.Send(context.Background(), reset.Lookup{Value: "alice"})
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
				t.Fatalf("Send = %v, want %v; a limit must not change the answer", err, c.err)
			}
			if !slices.Equal(got.Limits, aliceLimits) || got.Suppress != "" || got.Message.To != alice.Email ||
				got.Message.UserID != alice.ID || !strings.Contains(got.Message.Text, "user_id="+alice.ID) {
				t.Fatalf("stored %+v\nwant alice's link with limits %+v", *got, aliceLimits)
			}
		})
	}
}

// TestDailyCapOffStillRecords: without a daily cap the link is recorded all the
// same (it is the user's latest), and no cooldown or hourly cap is checked.
func TestDailyCapOffStillRecords(t *testing.T) {
	s, d := newSender(t, config, reset.DefaultTemplates(reset.KindResetLink))
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(alice, nil)
	got := storeLimited(d, -1, nil)
	if err := s.Send(context.Background(), reset.Lookup{Value: "alice"}); err != nil {
		t.Fatal(err)
	}
	want := []ports.Limit{{Key: "reset_link:user:" + alice.ID, Max: math.MaxInt32, Window: 24 * time.Hour, Reason: reset.ReasonDailyCap}}
	if !slices.Equal(got.Limits, want) {
		t.Fatalf("limits %+v, want %+v", got.Limits, want)
	}
}

// TestUnknownUsersTakeTheSamePath: the calls made for an unknown login are those made
// for a known one; its link counts against a stand-in's limits and the hourly cap of
// strangers, and is stored suppressed.
func TestUnknownUsersTakeTheSamePath(t *testing.T) {
	trace := func(login string, found bool) ([]string, ports.LimitedMessage) {
		var calls []string
		s, d := newSender(t, limited, reset.DefaultTemplates(reset.KindResetLink))
		user, err := alice, error(nil)
		if !found {
			user, err = ports.User{}, ports.ErrUserNotFound
		}
		d.users.EXPECT().FindByLogin(gomock.Any(), login).Do(func(context.Context, string) { calls = append(calls, "FindByLogin") }).Return(user, err)
		got := storeLimited(d, -1, nil)
		if err := s.Send(context.Background(), reset.Lookup{Value: login}); err != nil {
			t.Fatal(err)
		}
		return append(calls, "AddLimited"), *got
	}
	known, _ := trace("alice", true)
	unknown, m := trace("mallory", false)
	if !slices.Equal(known, unknown) {
		t.Fatalf("known user: %v\nunknown user: %v", known, unknown)
	}
	if m.Suppress != reset.ReasonUnknownUser || len(m.Limits) != 3 || m.Limits[2].Key != "reset_link:global:unknown" ||
		!strings.HasPrefix(m.Limits[0].Key, "reset_link:cooldown:unknown-") || m.Limits[1].Max != 5 {
		t.Fatalf("a stranger's link stored as %+v", m)
	}
}
