package reset

import (
	"bytes"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// A link request renders its e-mail (subject, text and HTML) while the client
// waits, and executing html/template costs more than the rest of the request
// (reflection, a map of values, an escaper call through reflection per value).
// Most templates only print values ({{.product_name}}, {{.verification_url}}),
// so each part is rendered once at start with a marker in place of every value,
// and split at the markers: static text with holes, each hole knowing its value's
// name and how html/template escapes it there. A request then appends static text
// and escaped values. A template that does more than print values ({{if}},
// {{range}}, functions, pipelines) keeps being executed; so does one whose holes'
// escaping the probes below do not pin down (a value in a script, a style, an
// unquoted attribute). Every value is a hole, the configured details too, so that
// a value's precedence is the executed template's (see lookup.get).

// compiled is one part of an e-mail split at its values.
type compiled struct {
	parts []string // the static text before each hole, and after the last
	holes []hole
}

// hole is where a value is printed, and how it is escaped there.
type hole struct {
	key string
	esc escaper
}

// fastVariant is a variant whose every part compiled; html is nil without an HTML part.
type fastVariant struct {
	subject, text, html *compiled
}

// markerPrefix starts the marker standing for a value while a template is split;
// markers are letters and digits, which no escaper changes.
const markerPrefix = "PwResetValue"

func marker(i int) string { return fmt.Sprintf("%s%04dX", markerPrefix, i) }

// probes are the values a compiled part is checked with against the executed
// template: each escaper changes some of them differently from every other.
var probes = []string{
	"https://front.example/reset-password/?user_id=1&timestamp=1700000000&signature=3q2-7w%2B",
	`javascript:alert("<b>" + '&' + 1)`,
	"a b\t\x00\"'<>&+=%41%4%zz%\u00e9\u2028\ufdd0\xff\xfe!#$*,/:;?@[]~-._`{}|\\^()\n",
	"mailto:Ann <ann@example.com>",
	"/relative/path?q=1 2",
	"",
}

// execFunc executes a template with values.
type execFunc func(*bytes.Buffer, map[string]string) error

// compileVariant compiles every part of v, or returns nil if one does not compile.
func compileVariant(v *variant) *fastVariant {
	f := &fastVariant{subject: compileText(v.subject), text: compileText(v.text)}
	if f.subject == nil || f.text == nil {
		return nil
	}
	if v.html != nil {
		var trees []*parse.Tree
		for _, t := range v.html.Templates() {
			trees = append(trees, t.Tree)
		}
		exec := func(b *bytes.Buffer, data map[string]string) error { return v.html.Execute(b, data) }
		if f.html = compileTrees(trees, exec, escapeHTML, escapeURL, escapeURLPart, escapeURLQuery); f.html == nil {
			return nil
		}
	}
	return f
}

// compileText compiles a text/template part, whose values are printed as they are.
func compileText(t *template.Template) *compiled {
	var trees []*parse.Tree
	for _, d := range t.Templates() {
		trees = append(trees, d.Tree)
	}
	exec := func(b *bytes.Buffer, data map[string]string) error { return t.Execute(b, data) }
	return compileTrees(trees, exec, escapePlain)
}

// compileTrees compiles the template whose definitions are trees (not yet executed,
// so that html/template has not added its escapers to them) and which exec executes;
// each hole's escaping is one of candidates. It returns nil if the template does
// more than print values, or if the compiled template and the executed one differ
// on a probe.
func compileTrees(trees []*parse.Tree, exec execFunc, candidates ...escaper) *compiled {
	keys := map[string]bool{}
	for _, t := range trees {
		if t == nil || !printsOnly(t.Root, keys) {
			return nil
		}
	}
	names := slices.Sorted(maps.Keys(keys))
	data := map[string]string{}
	for i, k := range names {
		data[k] = marker(i)
	}
	var b bytes.Buffer
	if exec(&b, data) != nil {
		return nil
	}
	c := split(b.String(), names)
	if c == nil || !c.pinEscapers(exec, names, candidates) || !c.writesAsExecuted(exec, names) {
		return nil
	}
	return c
}

// pinEscapers gives each hole the escaper that writes, for every probe, the text
// the executed template writes there; it reports false if a hole has none.
func (c *compiled) pinEscapers(exec execFunc, names []string, candidates []escaper) bool {
	masks := make([]uint, len(c.holes))
	for _, p := range probes {
		out, ok := execute(exec, names, p)
		if !ok || !c.match(out, p, masks, candidates) {
			return false
		}
	}
	for i := range c.holes {
		c.holes[i].esc = escaper(bits.TrailingZeros(masks[i]))
	}
	return true
}

// writesAsExecuted reports whether c writes what the executed template does with
// every value set to each probe.
func (c *compiled) writesAsExecuted(exec execFunc, names []string) bool {
	for _, p := range probes {
		out, _ := execute(exec, names, p)
		all := &lookup{lang: p, subject: p, inBody: true, static: map[string]string{}}
		for _, k := range names {
			all.static[k] = p
		}
		if got := c.appendTo(nil, all); string(got) != out {
			return false
		}
	}
	return true
}

// execute executes the template with every value p.
func execute(exec execFunc, names []string, p string) (string, bool) {
	data := map[string]string{}
	for _, k := range names {
		data[k] = p
	}
	var b bytes.Buffer
	err := exec(&b, data)
	return b.String(), err == nil
}

// printsOnly reports whether the template node n only writes text, prints values
// ({{.name}}) and calls templates with the same values ({{template "x" .}}), and
// adds the names of the values it prints to keys.
func printsOnly(n parse.Node, keys map[string]bool) bool {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return true
		}
		for _, c := range n.Nodes {
			if !printsOnly(c, keys) {
				return false
			}
		}
		return true
	case *parse.TextNode, *parse.CommentNode:
		return true
	case *parse.ActionNode:
		p := n.Pipe
		if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
			return false
		}
		f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
		if !ok || len(f.Ident) != 1 {
			return false
		}
		keys[f.Ident[0]] = true
		return true
	case *parse.TemplateNode:
		p := n.Pipe
		if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
			return false
		}
		_, ok := p.Cmds[0].Args[0].(*parse.DotNode)
		return ok
	}
	return false
}

// split cuts out, a template's output with marker(i) for names[i], at the markers.
func split(out string, names []string) *compiled {
	c := &compiled{}
	for {
		i := strings.Index(out, markerPrefix)
		if i < 0 {
			c.parts = append(c.parts, out)
			return c
		}
		end := i + len(markerPrefix) + 5
		var n int
		if end > len(out) || out[end-1] != 'X' {
			return nil
		}
		if _, err := fmt.Sscanf(out[i+len(markerPrefix):end-1], "%04d", &n); err != nil || n >= len(names) {
			return nil
		}
		c.parts = append(c.parts, out[:i])
		c.holes = append(c.holes, hole{key: names[n]})
		out = out[end:]
	}
}

// match narrows each hole's candidate escapers (bit e of masks[i]: escaper e) to
// those that give out, the template's output with every value p.
func (c *compiled) match(out, p string, masks []uint, candidates []escaper) bool {
	if !strings.HasPrefix(out, c.parts[0]) {
		return false
	}
	pos := len(c.parts[0])
	for i := range c.holes {
		if masks[i] == 0 { // the first probe
			for _, e := range candidates {
				masks[i] |= 1 << e
			}
		}
		var m uint
		next := -1
		for e := range escapers {
			if masks[i]&(1<<e) == 0 {
				continue
			}
			s := string(appendEscaped(nil, e, p)) + c.parts[i+1]
			if strings.HasPrefix(out[pos:], s) {
				m |= 1 << e
				if next < 0 {
					next = pos + len(s)
				}
			}
		}
		if m == 0 {
			return false
		}
		masks[i], pos = m, next
	}
	return pos == len(out)
}
