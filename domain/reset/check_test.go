package reset_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// TestCheckLink: a link is judged as Reset judges it, and checking it uses nothing
// up: the mocks refuse every call but the user's lookup (and the latest link's).
func TestCheckLink(t *testing.T) {
	noEmail := alice
	noEmail.Logins = nil
	stale := reset.Config{Enabled: true, Period: 24 * time.Hour, InvalidateOlderLinks: true}
	down := errors.New("store down")
	oneTime := config
	oneTime.OneTimeUse = true
	tests := []struct {
		name      string
		cfg       reset.Config
		req       reset.Request
		user      ports.User
		findErr   error
		latest    time.Time // the latest link's time, with InvalidateOlderLinks
		wantLogin string
		wantErr   error
	}{
		{"good link", config, request(false, now.Add(-time.Hour), ""), alice, nil, time.Time{}, "alice", nil},
		{"good one-time link", oneTime, request(true, now.Add(-time.Hour), ""), alice, nil, time.Time{}, "alice", nil},
		{"no login field: the address", config, request(false, now.Add(-time.Hour), ""), noEmail, nil, time.Time{}, alice.Email, nil},
		{"expired", config, request(false, now.Add(-25*time.Hour), ""), alice, nil, time.Time{}, "", reset.ErrSignatureExpired},
		{"tampered", config, tampered(request(false, now.Add(-time.Hour), "")), alice, nil, time.Time{}, "", reset.ErrInvalidSignature},
		{"unknown user", config, request(false, now.Add(-time.Hour), ""), ports.User{}, ports.ErrUserNotFound, time.Time{}, "", reset.ErrInvalidSignature},
		{"store down", config, request(false, now.Add(-time.Hour), ""), ports.User{}, down, time.Time{}, "", down},
		{"a newer link since", stale, request(false, now.Add(-time.Hour), ""), alice, nil, now.Add(-time.Minute), "", reset.ErrInvalidSignature},
		{"the latest link", stale, request(false, now.Add(-time.Hour), ""), alice, nil, now.Add(-time.Hour), "alice", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, d := newResetter(t, tt.cfg, now)
			d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(tt.user, tt.findErr)
			if tt.cfg.InvalidateOlderLinks {
				d.box.EXPECT().LatestEvent(gomock.Any(), gomock.Any()).Return(tt.latest, nil)
			}
			login, err := r.CheckLink(context.Background(), tt.req.UserID, tt.req.Timestamp, tt.req.Signature)
			if login != tt.wantLogin || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("CheckLink = %q, %v; want %q, %v", login, err, tt.wantLogin, tt.wantErr)
			}
		})
	}
}

// tampered changes the last character of the request's signature.
func tampered(req reset.Request) reset.Request {
	s := []byte(req.Signature)
	if s[len(s)-1] == 'A' {
		s[len(s)-1] = 'B'
	} else {
		s[len(s)-1] = 'A'
	}
	req.Signature = string(s)
	return req
}
