// Package link signs, verifies and builds reset-password links.
package link
