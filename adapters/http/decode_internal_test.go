package http

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// decoded is what the Decoder makes of raw, as parseJSON read it before flatStrings.
func decoded(raw []byte) (any, bool) {
	if !json.Valid(raw) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	return v, true
}

// FuzzFlatStrings: whatever flatStrings reads, it reads as the Decoder does, and it
// reads every object of unescaped strings.
func FuzzFlatStrings(f *testing.F) {
	for _, s := range []string{`{"login":"demo"}`, ` { "email" : "a@example.com" , "login":"x" } `, `{}`,
		`{"a":"1","a":"2"}`, `{"a":"\u00e9"}`, `{"a":1}`, `["a"]`, `"a"`, `{"a":"b"`, `{"a":"b",}`, `{"a":"é"}`,
		`{"a":"b"}x`, `{"a" "b"}`, "{\"a\":\"\t\"}", `null`, `{"a":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, valid := decoded(raw)
		got, ok := flatStrings(raw)
		if !valid || !utf8.Valid(raw) {
			return // parseJSON refuses these before it reads them
		}
		m, object := want.(map[string]any)
		plain := object && !bytes.ContainsRune(raw, '\\')
		for _, v := range m {
			if _, ok := v.(string); !ok {
				plain = false
			}
		}
		if ok != plain {
			t.Fatalf("flatStrings(%q) ok = %v, want %v", raw, ok, plain)
		}
		if ok && !reflect.DeepEqual(map[string]any(got), m) {
			t.Fatalf("flatStrings(%q) = %v, Decoder %v", raw, got, m)
		}
	})
}
