// Package reset holds the two use cases of pwreset: sending a reset-password link
// (LinkSender) and resetting the password with it (Resetter).
package reset
