package http

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
)

// Messages of DRF, word for word: front ends show them as they come.
const (
	nonFieldErrors = "non_field_errors"
	msgNoData      = "No data provided"
	msgNotDict     = "Invalid data. Expected a dictionary, but got %s."
	msgRequired    = "This field is required."
	msgBlank       = "This field may not be blank."
	msgNull        = "This field may not be null."
	msgNotString   = "Not a valid string."
	msgNotInteger  = "A valid integer is required."
	msgTooLong     = "String value too large."
	msgNullChars   = "Null characters are not allowed."
	msgSurrogate   = "Surrogate characters are not allowed: U+%X."
)

// maxIntegerString is the longest string DRF's IntegerField tries to read.
const maxIntegerString = 1000

// decimalZeros is what DRF's IntegerField cuts off a string before reading it:
// "12.0" and "12. " are integers, "12.5" is not. Python's \s is Unicode whitespace.
var decimalZeros = regexp.MustCompile(`\.0*[\s\v\x{1c}-\x{1f}\x{85}\pZ]*$`)

// fieldErrors lists, per field, why a body was refused: DRF's 400 answer.
type fieldErrors map[string][]string

func (e fieldErrors) Error() string {
	return "invalid fields: " + strings.Join(slices.Sorted(maps.Keys(e)), ", ")
}

// fieldOrder is the order of DRF's answers: the serializers' fields as declared,
// then non_field_errors, which django-rest-registration adds last.
var fieldOrder = []string{"login", "email", "user_id", "timestamp", "signature", "password", "password_confirm", nonFieldErrors}

// MarshalJSON writes the fields in DRF's order (others after them, sorted), so that
// an answer is byte for byte django-rest-registration's.
func (e fieldErrors) MarshalJSON() ([]byte, error) {
	rank := func(k string) int {
		if i := slices.Index(fieldOrder, k); i >= 0 {
			return i
		}
		return len(fieldOrder)
	}
	keys := slices.SortedFunc(maps.Keys(e), func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		msgs, err := json.Marshal(append([]string{}, e[k]...)) // nil too is []
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(msgs)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// fields reads values out of a body as DRF's serializer fields do, collecting every
// error, so that one answer lists them all.
type fields struct {
	body body
	errs fieldErrors
}

// text reads a CharField as DRF does, in its order: blank once stripped, null, a
// string or a number, then trimmed (trim_whitespace, on for every field here, the
// password too) and checked for NUL and surrogate characters.
func (f *fields) text(name string) string {
	if v, ok := f.body[name].(string); ok && pyStrip(v) == "" {
		f.fail(name, msgBlank) // before the null check: DRF tests for blank first
		return ""
	}
	v, ok := f.value(name)
	if !ok {
		return ""
	}
	var s string
	var surrogate rune
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = pyStr(v) // DRF takes a number as Python writes it
	case surrogateText:
		s, surrogate = v.text, v.surrogate
	default:
		f.fail(name, msgNotString)
		return ""
	}
	s = pyStrip(s)
	// DRF runs all of a field's validators and lists what each refuses.
	var msgs []string
	if strings.ContainsRune(s, 0) {
		msgs = append(msgs, msgNullChars)
	}
	if surrogate != 0 {
		msgs = append(msgs, fmt.Sprintf(msgSurrogate, surrogate))
	}
	if len(msgs) > 0 {
		f.fail(name, msgs...)
		return ""
	}
	return s
}

// integer reads an IntegerField.
func (f *fields) integer(name string) int64 {
	v, ok := f.value(name)
	if !ok {
		return 0
	}
	n, msg := parseInteger(v)
	if msg != "" {
		f.fail(name, msg)
	}
	return n
}

// parseInteger reads v as DRF's IntegerField does, within int64; it returns why not.
func parseInteger(v any) (int64, string) {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, ""
		}
		// DRF reads a float through Python's str(), which writes integral values
		// below 1e16 as "12.0", an integer to it; larger ones get an exponent.
		if x, err := v.Float64(); err == nil && x == math.Trunc(x) && math.Abs(x) < 1e16 {
			return int64(x), ""
		}
	case string:
		if len(v) > maxIntegerString {
			return 0, msgTooLong
		}
		if n, ok := pyInt(decimalZeros.ReplaceAllString(v, "")); ok {
			return n, ""
		}
	}
	return 0, msgNotInteger
}

// value returns the field's value, or records why it has none.
func (f *fields) value(name string) (any, bool) {
	v, ok := f.body[name]
	switch {
	case !ok:
		f.fail(name, msgRequired)
	case v == nil:
		f.fail(name, msgNull)
	default:
		return v, true
	}
	return nil, false
}

func (f *fields) fail(name string, msgs ...string) {
	if f.errs == nil {
		f.errs = fieldErrors{}
	}
	f.errs[name] = msgs
}

// err returns the errors found, or nil.
func (f *fields) err() error {
	if len(f.errs) == 0 {
		return nil
	}
	return f.errs
}
