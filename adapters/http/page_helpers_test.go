package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/pwreset/pwreset/ports"
)

const pagePath = "/reset-password/"

// pageURL is the page's address for the link l, as the e-mail gives it.
func pageURL(l resetLink) string {
	return pagePath + "?" + url.Values{"user_id": {l.UserID}, "timestamp": {l.Timestamp}, "signature": {l.Signature}}.Encode()
}

// shownPage is an answer of the page, parsed as a browser would.
type shownPage struct {
	t    testing.TB
	rec  *httptest.ResponseRecorder
	root *html.Node
}

// open GETs path with the headers (name, value pairs) and parses the page.
func (f *fixture) open(path string, headers ...string) shownPage {
	f.t.Helper()
	return parsePage(f.t, f.do(http.MethodGet, path, "", "", headers...))
}

func parsePage(t testing.TB, rec *httptest.ResponseRecorder) shownPage {
	t.Helper()
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("answer %d %s is no page: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	root, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return shownPage{t: t, rec: rec, root: root}
}

// find returns the first element for which match is true, or nil.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if found := find(c, match); found != nil {
			return found
		}
	}
	return nil
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// byID returns the element with id, or nil.
func (p shownPage) byID(id string) *html.Node {
	return find(p.root, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id })
}

// shown reports whether the element with id exists and neither it nor an
// ancestor is hidden.
func (p shownPage) shown(id string) bool {
	n := p.byID(id)
	if n == nil {
		return false
	}
	for ; n != nil; n = n.Parent {
		if _, hidden := attr(n, "hidden"); hidden && n.Type == html.ElementNode {
			return false
		}
	}
	return true
}

// text returns the text of the element with id ("" if there is none), its
// whitespace collapsed.
func (p shownPage) text(id string) string {
	n := p.byID(id)
	if n == nil {
		return ""
	}
	return textOf(n)
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// title is the window's title.
func (p shownPage) title() string {
	return textOf(find(p.root, func(n *html.Node) bool { return n.Data == "title" }))
}

// lang is the page's <html lang>.
func (p shownPage) lang() string {
	v, _ := attr(find(p.root, func(n *html.Node) bool { return n.Data == "html" }), "lang")
	return v
}

// form returns the action and the values the form with id submits, as a browser
// without script would (every named input, hidden ones included).
func (p shownPage) form(id string) (string, url.Values) {
	p.t.Helper()
	form := p.byID(id)
	if form == nil {
		p.t.Fatalf("no form %s in %s", id, p.rec.Body)
	}
	action, _ := attr(form, "action")
	values := url.Values{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" {
			name, named := attr(n, "name")
			typ, _ := attr(n, "type")
			if _, disabled := attr(n, "disabled"); named && !disabled && typ != "checkbox" {
				v, _ := attr(n, "value")
				values.Set(name, v)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return action, values
}

// submit fills the form with id and posts it as a browser without script does from
// the page's own origin; the headers (name, value pairs) add to or replace the
// browser's. The answer is parsed.
func (f *fixture) submit(p shownPage, id string, fill map[string]string, headers ...string) shownPage {
	f.t.Helper()
	action, values := p.form(id)
	for k, v := range fill {
		values.Set(k, v)
	}
	// The page's Referrer-Policy makes the browser send Origin: null.
	h := append([]string{"Sec-Fetch-Site", "same-origin", "Origin", "null", "Accept-Language", p.lang()}, headers...)
	return parsePage(f.t, f.do(http.MethodPost, action, formType, values.Encode(), h...))
}

// unavailableErr is a store that cannot be reached.
var unavailableErr = fmt.Errorf("find user: dial 10.0.0.7: %w", ports.ErrUnavailable)

// fieldsOf returns the string fields of a struct by name.
func fieldsOf(v any) map[string]string {
	fields := map[string]string{}
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		fields[rv.Type().Field(i).Name] = rv.Field(i).String()
	}
	return fields
}
