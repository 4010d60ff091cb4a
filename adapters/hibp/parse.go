package hibp

import (
	"fmt"
	"strconv"
	"strings"
)

// maxBody bounds the response read. A padded answer is at most about 1,000 lines of
// about 40 bytes; anything far larger is not the range API.
const maxBody = 1 << 20

// suffixLen is the length of the suffix on each line: the rest of the 40 hex
// characters of a SHA-1.
const suffixLen = 40 - prefixLen

// lookup reports whether body, the API's answer, lists suffix with a count above
// zero. Padding lines have a count of zero, so they never match. Every line is
// checked, so that a body that is not the API's answer (a proxy's error page, a
// truncated reply) is an error wherever the suffix occurs. Errors give line numbers,
// never line contents: the matching line would complete the hash.
func lookup(body, suffix string) (bool, error) {
	found, entries, n := false, 0, 0
	for line := range strings.Lines(body) {
		n++
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		s, count, ok := strings.Cut(line, ":")
		if !ok {
			return false, fmt.Errorf("hibp: malformed response: line %d is not SUFFIX:COUNT", n)
		}
		if len(s) != suffixLen || !isHex(s) {
			return false, fmt.Errorf("hibp: malformed response: line %d does not start with %d hex digits", n, suffixLen)
		}
		c, err := strconv.ParseUint(count, 10, 64)
		if err != nil {
			return false, fmt.Errorf("hibp: malformed response: line %d has no count", n)
		}
		entries++
		if c > 0 && strings.EqualFold(s, suffix) {
			found = true
		}
	}
	// Every prefix has hundreds of entries, and padding adds more: an empty answer
	// did not come from the API, and must not pass for "not breached".
	if entries == 0 {
		return false, fmt.Errorf("hibp: malformed response: no entries")
	}
	return found, nil
}

// isHex reports whether s holds only hex digits, in either case.
func isHex(s string) bool {
	for i := range len(s) {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}
