package reset

import "context"

// CheckLink verifies a link as Reset does (signature, age, no newer link since)
// without using it up, so that the page the link opens can say at once that it is
// bad. It returns what the user signs in with (the first login field, else the
// e-mail address) for password managers: only the holder of a good link sees it.
// It writes nothing and records no audit event: opening a page is no attempt.
func (r *Resetter) CheckLink(ctx context.Context, userID string, timestamp int64, signature string) (string, error) {
	user, err := r.verify(ctx, Request{UserID: userID, Timestamp: timestamp, Signature: signature})
	if err != nil {
		return "", err
	}
	if len(user.Logins) > 0 {
		return user.Logins[0].Value, nil
	}
	return user.Email, nil
}
