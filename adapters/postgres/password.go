package postgres

import (
	"context"

	"github.com/pwreset/pwreset/ports"
)

// SetPassword implements ports.UserStore as one compare-and-set,
// UPDATE ... WHERE id = $1 AND password = $2. PostgreSQL applies it atomically:
// an update racing another on the same row waits for it to commit, then checks
// its condition again on the new row and no longer matches. A user without a
// password (NULL) matches the empty hash. It writes the password column and, if
// configured, the changed-at column, and nothing else.
func (s *UserStore) SetPassword(ctx context.Context, c ports.PasswordChange) error {
	if !s.canonicalID(c.UserID) {
		return ports.ErrUserNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, s.m.Timeout)
	defer cancel()
	args := []any{c.UserID, c.OldHash, c.NewHash}
	if s.m.ChangedAtColumn != "" {
		// UTC, so that a timestamp without time zone holds UTC too.
		args = append(args, c.ChangedAt.UTC())
	}
	tag, err := s.pool.Exec(opCtx, s.sql.setPW, args...)
	if err != nil {
		return translateWrite(ctx, "set password of user "+c.UserID, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	// Refused: tell a changed password from a user who is gone.
	var exists bool
	if err := s.pool.QueryRow(opCtx, s.sql.exists, c.UserID).Scan(&exists); err != nil {
		return translate(ctx, "check user "+c.UserID+" after a refused password change", err)
	}
	if !exists {
		return ports.ErrUserNotFound
	}
	return ports.ErrPasswordChanged
}
