package sim

import (
	"context"

	"github.com/pwreset/pwreset/ports"
)

// users is the UserStore as one task sees it.
type users struct {
	port
	inner ports.UserStore
}

func (u *users) find(ctx context.Context, call string, f func(context.Context) (ports.User, error)) (ports.User, error) {
	var user ports.User
	err := u.do(ctx, call, false, func(c context.Context) error {
		var err error
		user, err = f(c)
		return err
	})
	return user, err
}

// FindByLogin implements ports.UserStore.
func (u *users) FindByLogin(ctx context.Context, login string) (ports.User, error) {
	return u.find(ctx, "users.FindByLogin", func(c context.Context) (ports.User, error) { return u.inner.FindByLogin(c, login) })
}

// FindByEmail implements ports.UserStore.
func (u *users) FindByEmail(ctx context.Context, email string) (ports.User, error) {
	return u.find(ctx, "users.FindByEmail", func(c context.Context) (ports.User, error) { return u.inner.FindByEmail(c, email) })
}

// FindByID implements ports.UserStore.
func (u *users) FindByID(ctx context.Context, id string) (ports.User, error) {
	return u.find(ctx, "users.FindByID", func(c context.Context) (ports.User, error) { return u.inner.FindByID(c, id) })
}

// SetPassword implements ports.UserStore, recording each change that applies.
func (u *users) SetPassword(ctx context.Context, change ports.PasswordChange) error {
	task := u.t.id
	err := u.do(ctx, "users.SetPassword", true, func(c context.Context) error {
		err := u.inner.SetPassword(c, change)
		if err == nil {
			u.w.hist.changes = append(u.w.hist.changes, &changeRec{task: task, userID: change.UserID,
				old: change.OldHash, new: change.NewHash, at: u.w.clock.Now()})
		}
		return err
	})
	if r := u.w.resetOf[task]; r != nil && err != nil && unclear(u.t.fault) {
		r.unclear = true
	}
	return err
}

// unclear reports whether a write that suffered f may have applied, or may yet.
func unclear(f Fault) bool {
	switch f.Kind {
	case Fail, Lost, Late, HangUp:
		return true
	}
	return false
}
