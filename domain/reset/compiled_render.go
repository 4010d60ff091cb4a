package reset

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pwreset/pwreset/ports"
)

// What a request does with a compiled e-mail (compiled.go): append static text and
// its values, escaped.

// appendTo appends the part with the values v gives.
func (c *compiled) appendTo(b []byte, v *lookup) []byte {
	for i, h := range c.holes {
		b = append(b, c.parts[i]...)
		b = appendEscaped(b, h.esc, v.get(h.key))
	}
	return append(b, c.parts[len(c.holes)]...)
}

// lookup gives a template's values as Templates.Render's map would hold them:
// the details, overridden by the e-mail address, by the user's login fields, by the
// extra values, by the language; in the bodies, the subject overrides all.
type lookup struct {
	lang    string
	subject string
	inBody  bool
	user    *ports.User
	extra   map[string]string
	static  map[string]string
}

func (l *lookup) get(key string) string {
	switch {
	case key == "lang":
		return l.lang
	case key == "subject" && l.inBody:
		return l.subject
	}
	if v, ok := l.extra[key]; ok {
		return v
	}
	if l.user != nil {
		for i := len(l.user.Logins) - 1; i >= 0; i-- {
			if l.user.Logins[i].Name == key {
				return l.user.Logins[i].Value
			}
		}
		if key == "email" {
			return l.user.Email
		}
	}
	return l.static[key]
}

// buffers are what the compiled parts are written into before they become strings.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

// render renders the e-mail with the values l gives.
func (f *fastVariant) render(l *lookup) rendered {
	bp := buffers.Get().(*[]byte)
	b := f.subject.appendTo((*bp)[:0], l)
	r := rendered{subject: oneLine(b)}
	l.subject, l.inBody = r.subject, true
	b = f.text.appendTo(b[:0], l)
	r.text = string(b)
	if f.html != nil {
		b = f.html.appendTo(b[:0], l)
		r.html = string(b)
	}
	if cap(b) <= 64<<10 { // a pool of huge buffers would keep them
		*bp = b
		buffers.Put(bp)
	}
	return r
}

// oneLine is strings.Join(strings.Fields(string(b)), " "), the subject on one line
// as Django makes it, in one pass and one allocation.
func oneLine(b []byte) string {
	var buf [256]byte
	out := buf[:0]
	for i := 0; i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if unicode.IsSpace(r) {
			i += w
			continue
		}
		if len(out) > 0 {
			out = append(out, ' ')
		}
		for ; i < len(b); i += w {
			if r, w = utf8.DecodeRune(b[i:]); unicode.IsSpace(r) {
				break
			}
			out = append(out, b[i:i+w]...)
		}
	}
	return string(out)
}
