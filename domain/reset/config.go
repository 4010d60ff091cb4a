package reset

import (
	"io"
	"time"
)

// Config holds the settings of the reset-password workflow, named after
// django-rest-registration's where it has them.
type Config struct {
	// Enabled is RESET_PASSWORD_VERIFICATION_ENABLED: when false both endpoints answer 404.
	Enabled bool
	// FailWhenUserNotFound reveals that no user matched (RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND).
	FailWhenUserNotFound bool
	// Period is how long a link stays valid (RESET_PASSWORD_VERIFICATION_PERIOD).
	Period time.Duration
	// URL is the link base (RESET_PASSWORD_VERIFICATION_URL).
	URL string
	// OneTimeUse makes a link die once the password changed (RESET_PASSWORD_VERIFICATION_ONE_TIME_USE).
	OneTimeUse bool
	// From is the sender address of the e-mails (VERIFICATION_FROM_EMAIL).
	From string

	// LinkCooldown is the least time between two links to one user
	// (RESET_PASSWORD_LINK_COOLDOWN); zero turns it off.
	LinkCooldown time.Duration
	// LinkDailyCap is the most links one user gets in 24 hours
	// (RESET_PASSWORD_LINK_DAILY_CAP); zero turns it off.
	LinkDailyCap int
	// LinksPerHour is the most links all users get in an hour
	// (RESET_PASSWORD_LINKS_PER_HOUR); zero turns it off.
	LinksPerHour int
	// LinksPerClient is the most links the requests of one client (Lookup.Client) get
	// in an hour, its share of LinksPerHour (RESET_PASSWORD_LINKS_CLIENT_SHARE), so
	// that one client cannot use up the hourly cap for everyone; zero turns it off.
	LinksPerClient int
	// InvalidateOlderLinks makes a new link kill the user's older ones
	// (RESET_PASSWORD_INVALIDATE_OLDER_LINKS).
	InvalidateOlderLinks bool
	// ChangedNotification e-mails the user once the password was changed
	// (RESET_PASSWORD_CHANGED_NOTIFICATION).
	ChangedNotification bool
	// ChangeEvent stores a password.changed event (domain/event) with every change,
	// held and settled with the change as the notice is (EVENTS_URL, EVENTS_TYPES).
	ChangeEvent bool
	// Secret is SECRET_KEY. The key of the hash that names an unknown login's stand-in
	// (in its limits' keys and its suppressed message) is derived from it for that
	// purpose alone, so that the database does not tell which logins were tried.
	Secret []byte
	// StrangerSlots is how many stand-ins unknown logins share (each login keyed to
	// one of them), which bounds the limit keys they make; zero means
	// DefaultStrangerSlots. See LinkSender.stranger.
	StrangerSlots int
	// StoreTimeout bounds the writing of a new password, its audit event and its
	// notice, which go on when the client hangs up; zero means DefaultStoreTimeout.
	StoreTimeout time.Duration
	// Rand is where the ids of held messages come from (as crypto/tls.Config.Rand);
	// nil: crypto/rand. A seeded simulation gives its own, to replay a run.
	Rand io.Reader
}
