package reset

import "time"

// Config holds the settings of the reset-password workflow, named after
// django-rest-registration's.
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
}
