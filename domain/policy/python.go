package policy

import (
	"strings"
	"unicode"
)

// Django's validators run on Python strings, and Python's idea of lowercase, whitespace
// and digits differs from Go's unicode package at a few code points. These helpers
// follow Python (CPython 3.11, Unicode 14) so that a password gets Django's verdict.

// pyLower lowercases s as Python's str.lower does. Go's strings.ToLower differs in
// Unicode's two special cases: İ (U+0130) lowercases to "i̇" (i and a combining dot),
// and a capital sigma that ends a word becomes final ς, not σ.
func pyLower(s string) string {
	if !strings.ContainsAny(s, "İΣ") {
		return strings.ToLower(s)
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 1)
	for i, r := range rs {
		switch {
		case r == 'İ':
			b.WriteString("i\u0307")
		case r == 'Σ' && finalSigma(rs, i):
			b.WriteRune('ς')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma reports whether the capital sigma at rs[i] is in Unicode's Final_Sigma
// context, tested as CPython does: a cased letter before it and none after it,
// looking past case-ignorable characters either way.
func finalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && caseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !cased(rs[j]) {
		return false
	}
	j = i + 1
	for j < len(rs) && caseIgnorable(rs[j]) {
		j++
	}
	return j == len(rs) || !cased(rs[j])
}

// cased is Unicode's Cased property: Lowercase, Uppercase or titlecase letters.
func cased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt,
		unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// caseIgnorable is Unicode's Case_Ignorable property. Its Word_Break part (MidLetter,
// MidNumLet, Single_Quote) has no table in package unicode, so it is spelled out.
func caseIgnorable(r rune) bool {
	switch r {
	case ':', '·', '\u0387', '\u055f', '\u05f4', '\u2027', '\ufe13', '\ufe55', '\uff1a',
		'.', '\u2018', '\u2019', '\u2024', '\ufe52', '\uff07', '\uff0e', '\'':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// pyIsSpace is Python's str.isspace for one character. Python also counts the
// information separators U+001C–U+001F as whitespace; Go does not.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyIsDigit is Python's str.isdigit for one character: Numeric_Type Decimal (Go's
// unicode.IsDigit) or Digit, such as superscript and circled digits.
func pyIsDigit(r rune) bool {
	return unicode.IsDigit(r) || unicode.Is(otherDigits, r)
}

// otherDigits holds the characters of Numeric_Type=Digit outside category Nd, taken
// from Python 3.11: [c for c in all characters if c.isdigit() and category(c) != "Nd"].
var otherDigits = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x00b2, 0x00b3, 1}, {0x00b9, 0x00b9, 1}, {0x1369, 0x1371, 1}, {0x19da, 0x19da, 1},
		{0x2070, 0x2070, 1}, {0x2074, 0x2079, 1}, {0x2080, 0x2089, 1}, {0x2460, 0x2468, 1},
		{0x2474, 0x247c, 1}, {0x2488, 0x2490, 1}, {0x24ea, 0x24ea, 1}, {0x24f5, 0x24fd, 1},
		{0x24ff, 0x24ff, 1}, {0x2776, 0x277e, 1}, {0x2780, 0x2788, 1}, {0x278a, 0x2792, 1},
	},
	R32: []unicode.Range32{
		{0x10a40, 0x10a43, 1}, {0x10e60, 0x10e68, 1}, {0x11052, 0x1105a, 1}, {0x1f100, 0x1f10a, 1},
	},
	LatinOffset: 2,
}
