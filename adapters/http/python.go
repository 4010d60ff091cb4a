package http

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
// whether s is such a number within int64. int() strips Go's whitespace: unlike
// str.strip(), it keeps the information separators U+001C-U+001F, and refuses them.
func pyInt(s string) (int64, bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
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

// pyStr is Python's str() of a JSON number as Python's json module reads it: an
// integer as written, without a minus on zero; anything with a fraction or an exponent
// as a float, in repr's shortest form ("100.0", "1e+16", "1.5e-05", "inf").
func pyStr(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if strings.Trim(s, "-0") == "" {
			return "0"
		}
		return s
	}
	x, _ := strconv.ParseFloat(s, 64) // JSON's syntax is Go's; beyond range it is ±Inf
	switch {
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	if a := math.Abs(x); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(x, 'e', -1, 64) // Go writes the exponent as Python does
	}
	f := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(f, ".") {
		f += ".0"
	}
	return f
}

// pyDecode is Python's bytes.decode("utf-8", "replace"), which Django applies to form
// fields: each maximal part of a broken sequence becomes one U+FFFD. Go's
// strings.ToValidUTF8 would make one of a whole run ("\xff\xfe" is two to Python).
func pyDecode(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
			i += brokenPrefix(s[i:])
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// brokenPrefix is the length of the maximal subpart at the start of s, which is not
// a whole UTF-8 sequence: its lead byte and the continuation bytes that fit it
// (Unicode, table 3-7).
func brokenPrefix(s string) int {
	lo, hi, need := byte(0x80), byte(0xbf), 0
	switch c := s[0]; {
	case 0xc2 <= c && c <= 0xdf:
		need = 1
	case c == 0xe0:
		lo, need = 0xa0, 2
	case c == 0xed:
		hi, need = 0x9f, 2
	case 0xe1 <= c && c <= 0xef:
		need = 2
	case c == 0xf0:
		lo, need = 0x90, 3
	case 0xf1 <= c && c <= 0xf3:
		need = 3
	case c == 0xf4:
		hi, need = 0x8f, 3
	}
	n := 1
	for ; n <= need && n < len(s) && lo <= s[n] && s[n] <= hi; n++ {
		lo, hi = 0x80, 0xbf
	}
	return n
}

// pyUnquote is Python's urllib.parse.unquote: each run of ASCII has its %XX escapes
// turned into bytes, decoded from UTF-8 with replacement; a "%" not followed by two
// hex digits stays; other characters are kept.
func pyUnquote(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var out strings.Builder
	var run []byte // bytes of the current ASCII run, unescaped
	flush := func() {
		out.WriteString(pyDecode(string(run)))
		run = run[:0]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			flush()
			_, n := utf8.DecodeRuneInString(s[i:])
			out.WriteString(s[i : i+n])
			i += n - 1
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			run = append(run, byte(b))
			i += 2
		default:
			run = append(run, c)
		}
	}
	flush()
	return out.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// latin1 decodes ISO-8859-1, whose bytes are the first 256 code points.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
