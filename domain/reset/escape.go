package reset

import "strings"

// The escapers html/template applies to a string value in the contexts the
// compiled templates (compiled.go) support, written out so that a value can be
// escaped without executing the template. Each appends the escaped s to b and is
// byte for byte html/template's (Go's html/template: htmlEscaper, urlFilter,
// urlNormalizer and urlEscaper, for values that are plain strings); a fuzz test
// compares them with html/template on arbitrary values.

// escaper names how a value is escaped where a compiled template prints it.
type escaper uint8

const (
	// escapePlain prints the value as it is (text/template: subject and text body).
	escapePlain escaper = iota
	// escapeHTML is HTML text, an RCDATA element (<title>) or a quoted attribute.
	escapeHTML
	// escapeURL is a whole URL in a quoted URL attribute (href="{{.x}}"): an unsafe
	// scheme becomes #ZgotmplZ, the URL is normalized, then HTML-escaped.
	escapeURL
	// escapeURLPart is a value after the start of a quoted URL attribute, in its path
	// (href="https://host/{{.x}}"): normalized, then HTML-escaped.
	escapeURLPart
	// escapeURLQuery is a value in a quoted URL attribute's query (href="...?a={{.x}}"):
	// percent-encoded as a query component, then HTML-escaped.
	escapeURLQuery
	escapers // how many there are
)

// appendEscaped appends s escaped as e says.
func appendEscaped(b []byte, e escaper, s string) []byte {
	switch e {
	case escapePlain:
		return append(b, s...)
	case escapeHTML:
		return appendHTML(b, s)
	case escapeURL:
		if !isSafeURL(s) {
			return append(b, "#ZgotmplZ"...)
		}
		return appendURL(b, s, true)
	case escapeURLPart:
		return appendURL(b, s, true)
	default:
		return appendURL(b, s, false)
	}
}

// htmlEntities is html/template's htmlReplacementTable: every byte it replaces is
// ASCII, and the bytes of a multi-byte UTF-8 sequence are not, so a byte loop does
// what html/template's rune loop does (an invalid byte is kept as it is by both).
var htmlEntities = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

func appendHTML(b []byte, s string) []byte {
	written := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; int(c) < len(htmlEntities) && htmlEntities[c] != "" {
			b = append(b, s[written:i]...)
			b = append(b, htmlEntities[c]...)
			written = i + 1
		}
	}
	return append(b, s[written:]...)
}

// isSafeURL is html/template's: a URL with a scheme is safe if the scheme is
// http, https or mailto.
func isSafeURL(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '/':
			return true
		case ':':
			p := s[:i]
			return strings.EqualFold(p, "http") || strings.EqualFold(p, "https") || strings.EqualFold(p, "mailto")
		}
	}
	return true
}

// appendURL is html/template's processURLOnto (norm: urlNormalizer, else
// urlEscaper) followed by its attribute escaper, which of what the URL step
// leaves changes only & and + (quotes, < and > are percent-encoded by then).
func appendURL(b []byte, s string, norm bool) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '!', '#', '$', '*', ',', '/', ':', ';', '=', '?', '@', '[', ']':
			if norm {
				b = append(b, c)
				continue
			}
		case '&':
			if norm {
				b = append(b, "&amp;"...)
				continue
			}
		case '+':
			if norm {
				b = append(b, "&#43;"...)
				continue
			}
		case '-', '.', '_', '~':
			b = append(b, c)
			continue
		case '%':
			if norm && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				b = append(b, c)
				continue
			}
		default:
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				b = append(b, c)
				continue
			}
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return b
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
