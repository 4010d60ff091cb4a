package http

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"unicode/utf16"
)

// surrogateText is a JSON string with an unpaired surrogate escape such as \ud800.
// Python's json module keeps it as a character, which DRF then refuses; Go's decoder
// turns it into U+FFFD without a word, which would set a password nobody typed.
type surrogateText struct {
	text      string // as Go decoded it, U+FFFD in place of each surrogate
	surrogate rune   // the first unpaired surrogate, which DRF's message names
}

// surrogateEscape finds the bodies that may hold one; most hold none.
var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

// markSurrogates replaces the top-level string values of the JSON object raw, already
// decoded into b, that hold an unpaired surrogate escape. raw is valid JSON.
func markSurrogates(raw []byte, b body) {
	if !surrogateEscape.Match(raw) {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the opening brace
		return
	}
	found := map[string]rune{}
	for dec.More() {
		key, err := dec.Token()
		var value json.RawMessage
		if err != nil || dec.Decode(&value) != nil {
			return
		}
		// A repeated key counts with its last value, as in b.
		found[key.(string)] = firstSurrogate(value)
	}
	for key, r := range found {
		if text, ok := b[key].(string); ok && r != 0 {
			b[key] = surrogateText{text: text, surrogate: r}
		}
	}
}

// firstSurrogate returns the first unpaired surrogate escape of a JSON string literal,
// or 0. A high surrogate directly followed by a low one is a pair, as Python reads it.
func firstSurrogate(literal []byte) rune {
	if len(literal) == 0 || literal[0] != '"' {
		return 0
	}
	for i := 1; i < len(literal); i++ {
		if literal[i] != '\\' {
			continue
		}
		i++ // the escaped character; the loop steps over it
		if literal[i] != 'u' {
			continue
		}
		r := hexRune(literal[i+1 : i+5])
		i += 4
		if !utf16.IsSurrogate(r) {
			continue
		}
		if r < 0xdc00 && i+6 < len(literal) && literal[i+1] == '\\' && literal[i+2] == 'u' {
			if low := hexRune(literal[i+3 : i+7]); 0xdc00 <= low && low <= 0xdfff {
				i += 6
				continue
			}
		}
		return r
	}
	return 0
}

// hexRune reads the four hex digits of a \u escape, which valid JSON holds.
func hexRune(digits []byte) rune {
	n, _ := strconv.ParseUint(string(digits), 16, 16)
	return rune(n)
}
