package link

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// ErrBadBaseURL is returned for a link base URL that is not an absolute http(s) URL.
var ErrBadBaseURL = errors.New("the link base URL must be an absolute http or https URL, such as https://frontend-host/reset-password/")

// escape leaves only RFC 3986's unreserved characters as they are, so that a value
// is safe in a query and in a path alike.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// Placeholders a base URL may contain instead of taking the values as query parameters.
const (
	UserIDPlaceholder    = "{user_id}"
	TimestampPlaceholder = "{timestamp}"
	SignaturePlaceholder = "{signature}"
)

// CheckBaseURL reports whether base can carry links.
func CheckBaseURL(base string) error {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ErrBadBaseURL
	}
	return nil
}

// Build returns the link for the given values. If base holds any of the placeholders,
// they are filled in (percent-encoded); otherwise user_id, timestamp and signature are
// appended as query parameters after any the base already has, as
// django-rest-registration does, which also suits front ends that route by fragment.
func Build(base string, c Claims, signature string) string {
	if HasPlaceholders(base) {
		return strings.NewReplacer(
			UserIDPlaceholder, escape(c.UserID),
			TimestampPlaceholder, strconv.FormatInt(c.Timestamp, 10),
			SignaturePlaceholder, escape(signature),
		).Replace(base)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	// The timestamp's digits stay on the stack: a concatenation copies them.
	var ts [20]byte
	return base + sep + "user_id=" + escape(c.UserID) + "&timestamp=" + string(strconv.AppendInt(ts[:0], c.Timestamp, 10)) +
		"&signature=" + escape(signature)
}

// HasPlaceholders reports whether base fills in values rather than appending them.
func HasPlaceholders(base string) bool {
	return strings.Contains(base, UserIDPlaceholder) ||
		strings.Contains(base, TimestampPlaceholder) ||
		strings.Contains(base, SignaturePlaceholder)
}
