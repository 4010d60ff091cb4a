package reset_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/mocks"
	"github.com/pwreset/pwreset/ports"
)

// TestActiveUsersOnly: look-ups by login and address find only active users with a
// usable password, as Django's PasswordResetForm chooses whom to e-mail; the
// look-up by id is left alone, and errors pass through.
func TestActiveUsersOnly(t *testing.T) {
	active := ports.User{ID: "1", Email: "a@example.com", PasswordHash: "pbkdf2_sha256$1000$salt$hash"}
	inactive := active
	inactive.Inactive = true
	unusable := active
	unusable.PasswordHash = "!Qx3rT7wMnB2vK9pLz4hJc8fYd6sGa1eUo5iNy0Rb"
	unavailable := errors.Join(ports.ErrUnavailable)
	tests := []struct {
		name    string
		user    ports.User
		err     error
		want    ports.User
		wantErr error
	}{
		{"active", active, nil, active, nil},
		{"inactive", inactive, nil, ports.User{}, ports.ErrUserNotFound},
		{"unusable password", unusable, nil, ports.User{}, ports.ErrUserNotFound},
		{"not found", ports.User{}, ports.ErrUserNotFound, ports.User{}, ports.ErrUserNotFound},
		{"store down", ports.User{}, unavailable, ports.User{}, ports.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := mocks.NewMockUserStore(gomock.NewController(t))
			store.EXPECT().FindByLogin(gomock.Any(), "alice").Return(tt.user, tt.err)
			store.EXPECT().FindByEmail(gomock.Any(), "a@example.com").Return(tt.user, tt.err)
			users := reset.ActiveUsersOnly(store)
			for what, find := range map[string]func() (ports.User, error){
				"FindByLogin": func() (ports.User, error) { return users.FindByLogin(context.Background(), "alice") },
				"FindByEmail": func() (ports.User, error) { return users.FindByEmail(context.Background(), "a@example.com") },
			} {
				got, err := find()
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) || got.ID != tt.want.ID {
					t.Errorf("%s = %+v, %v; want %+v, %v", what, got, err, tt.want, tt.wantErr)
				}
			}
		})
	}

	store := mocks.NewMockUserStore(gomock.NewController(t))
	store.EXPECT().FindByID(gomock.Any(), "1").Return(inactive, nil)
	if u, err := reset.ActiveUsersOnly(store).FindByID(context.Background(), "1"); err != nil || u.ID != "1" {
		t.Errorf("FindByID of an inactive user = %+v, %v; want the user: a link already sent still resets", u, err)
	}
}
