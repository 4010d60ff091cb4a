package tracing

import (
	"context"

	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/ports"
)

// UserStore traces the calls of a ports.UserStore.
type UserStore struct {
	inner ports.UserStore
	steps steps
}

// NewUserStore traces inner's calls with tp's tracer.
func NewUserStore(inner ports.UserStore, tp trace.TracerProvider) *UserStore {
	return &UserStore{inner: inner, steps: newSteps(tp, "users")}
}

// FindByLogin implements ports.UserStore.
func (u *UserStore) FindByLogin(ctx context.Context, login string) (ports.User, error) {
	ctx, span := u.steps.start(ctx, "FindByLogin")
	user, err := u.inner.FindByLogin(ctx, login)
	end(span, err)
	return user, err
}

// FindByEmail implements ports.UserStore.
func (u *UserStore) FindByEmail(ctx context.Context, email string) (ports.User, error) {
	ctx, span := u.steps.start(ctx, "FindByEmail")
	user, err := u.inner.FindByEmail(ctx, email)
	end(span, err)
	return user, err
}

// FindByID implements ports.UserStore.
func (u *UserStore) FindByID(ctx context.Context, id string) (ports.User, error) {
	ctx, span := u.steps.start(ctx, "FindByID")
	user, err := u.inner.FindByID(ctx, id)
	end(span, err)
	return user, err
}

// SetPassword implements ports.UserStore.
func (u *UserStore) SetPassword(ctx context.Context, change ports.PasswordChange) error {
	ctx, span := u.steps.start(ctx, "SetPassword")
	err := u.inner.SetPassword(ctx, change)
	end(span, err)
	return err
}

// Unwrap returns the traced store, for the optional interfaces of the store itself.
func (u *UserStore) Unwrap() ports.UserStore { return u.inner }
