package http

import (
	"strconv"
	"strings"
	"unicode"
)

// DRF's fields run on Python strings; these are Python's rules where Go's differ.

// pyIsSpace is Python's str.isspace for one character: Go's unicode.IsSpace plus the
// information separators U+001C-U+001F, which Python counts as whitespace.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip is Python's str.strip().
func pyStrip(s string) string {
	return strings.TrimFunc(s, pyIsSpace)
}

// pyInt reads s as Python's int(s) does: surrounding whitespace, an optional sign,
// decimal digits of any script, single underscores between digits. It reports
// whether s is such a number within int64.
func pyInt(s string) (int64, bool) {
	s = pyStrip(s)
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	digits := []byte(sign)
	afterDigit := false
	for _, r := range s {
		if r == '_' && afterDigit {
			afterDigit = false // another underscore, or one at the end, is refused below
			continue
		}
		d, ok := digitValue(r)
		if !ok {
			return 0, false
		}
		digits = append(digits, '0'+d)
		afterDigit = true
	}
	if !afterDigit {
		return 0, false
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	return n, err == nil
}

// digitValue is the value of a decimal digit of any script (Unicode Nd). Those come
// in runs of whole 0-9 sets, so a digit's value is its distance from the run's start,
// modulo 10.
func digitValue(r rune) (byte, bool) {
	if '0' <= r && r <= '9' {
		return byte(r - '0'), true
	}
	if !unicode.IsDigit(r) {
		return 0, false
	}
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return byte((r - start) % 10), true
}
