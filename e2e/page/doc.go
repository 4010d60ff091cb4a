// Package page tests the hosted reset page in headless Chromium, in each of its
// languages, on MongoDB and in demo mode.
package page
