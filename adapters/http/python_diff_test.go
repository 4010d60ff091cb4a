package http

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// pythonCheck reads one case per line and answers one line each. The parsing,
// str(), strip(), int(), the \s of re and the UTF-8 decoding are Python's own; the
// few lines of field logic follow Django REST framework's CharField and IntegerField.
const pythonCheck = `
import json, re, sys
from urllib.parse import parse_qsl
def char_field(data):
    if data == '' or str(data).strip() == '':
        return {'errors': ['This field may not be blank.']}
    if data is None:
        return {'errors': ['This field may not be null.']}
    if isinstance(data, bool) or not isinstance(data, (str, int, float)):
        return {'errors': ['Not a valid string.']}
    value = str(data).strip()
    errors = []
    if '\x00' in value:
        errors.append('Null characters are not allowed.')
    for ch in value:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            errors.append('Surrogate characters are not allowed: U+{:X}.'.format(ord(ch)))
            break
    return {'errors': errors} if errors else {'value': value}
def integer_field(data):
    if isinstance(data, str) and len(data) > 1000:
        return {'errors': ['String value too large.']}
    try:
        return {'int': int(re.sub(r'\.0*\s*$', '', str(data)))}
    except (ValueError, TypeError):
        return {'errors': ['A valid integer is required.']}
for line in sys.stdin:
    case = json.loads(line)
    kind, raw = case['kind'], bytes.fromhex(case['hex'])
    if kind == 'json':
        obj = json.loads(raw.decode('utf-8'))
        out = {k: char_field(v) for k, v in obj.items()}
    elif kind == 'form':
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError:
            text = raw.decode('iso-8859-1')
        obj = dict(parse_qsl(text, keep_blank_values=True, encoding='utf-8'))
        out = {k: char_field(v) for k, v in obj.items()}
    elif kind == 'int':
        out = integer_field(raw.decode('utf-8'))
    else:
        out = {'value': raw.decode('utf-8', 'replace')}
    print(json.dumps(out), flush=True)
`

// TestAgainstPython runs the same inputs through these fields and through Python
// (python3, installed with CI's Debian packages): JSON strings with escapes of every
// kind, integer strings, and bytes that are not UTF-8.
func TestAgainstPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the comparison with Python needs it")
	}
	type check struct {
		kind, input string
		want        func(out []byte) (got, want any)
	}
	var checks []check
	rng := rand.New(rand.NewPCG(8, 10))
	pick := func(parts []string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		return b.String()
	}
	escapes := []string{`\ud800`, `\uDBFF`, `\udc00`, `\ud83d\ude00`, `\\ud800`, `\u0000`, `\u001c`, `\u001f`,
		` `, `\t`, `\u00a0`, `\u2028`, `\u3000`, `\u200b`, `\u000b`, `\u0085`, `a`, `Z`, `7`, `é`, `\"`, `\\`}
	for range 400 {
		lit := pick(escapes, rng.IntN(6))
		other := []string{`"` + lit + `"`, `1.50`, `-0`, `1e16`, `1E2`, `1e-7`, `0.00001`, `12345678901234567.0`,
			`1e400`, `-0.0`, `123456789012345678901`, `true`, `null`, `[]`, `{}`}
		raw := `{"f":"` + lit + `","g":` + other[rng.IntN(len(other))] + `}`
		checks = append(checks, check{"json", raw, func(out []byte) (any, any) {
			var want map[string]result
			if err := json.Unmarshal(out, &want); err != nil {
				t.Fatalf("python said %s: %v", out, err)
			}
			b, err := parseJSON([]byte(raw))
			if err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			return textFields(b), want
		}})
	}
	formParts := []string{"a", "f", "=", "&", ";", "+", "%", "%2", "%41", "%zz", "%E2%82", "%ED%A0%80", "%00", "%1C",
		"%20", "é", "\xff", "%C3", "%A9", "%2B", "%26", "%3D"}
	for range 400 {
		raw := pick(formParts, rng.IntN(10))
		checks = append(checks, check{"form", raw, func(out []byte) (any, any) {
			var want map[string]result
			if err := json.Unmarshal(out, &want); err != nil {
				t.Fatalf("python said %s: %v", out, err)
			}
			b := parseForm([]byte(raw))
			return textFields(b), want
		}})
	}
	digits := []string{"1", "7", "0", "_", " ", "\u001c", "\u00a0", "\u0661", "\u0669", "+", "-", ".", ".0", "\x00", "\u2003", "x", "\U0001D7D9"}
	for range 400 {
		s := pick(digits, 1+rng.IntN(7))
		checks = append(checks, check{"int", s, func(out []byte) (any, any) {
			var want result
			if err := json.Unmarshal(out, &want); err != nil {
				t.Fatalf("python said %s: %v", out, err)
			}
			n, msg := parseInteger(s)
			if msg != "" {
				return result{Errors: []string{msg}}, want
			}
			return result{Int: &n}, want
		}})
	}
	bytesParts := []string{"a", "\xed\xa0\x80", "\xe2\x82", "\xf0\x9f\x98", "\xff", "\xc3", "\xa9", "\x80", "\xf4\x90", "\xe0\x80", "é", "\U0001F600"}
	for range 400 {
		s := pick(bytesParts, rng.IntN(6))
		checks = append(checks, check{"decode", s, func(out []byte) (any, any) {
			var want result
			if err := json.Unmarshal(out, &want); err != nil {
				t.Fatalf("python said %s: %v", out, err)
			}
			got := pyDecode(s)
			return result{Value: &got}, want
		}})
	}

	var in bytes.Buffer
	for _, c := range checks {
		line, _ := json.Marshal(map[string]string{"kind": c.kind, "hex": hex.EncodeToString([]byte(c.input))})
		in.Write(append(line, '\n'))
	}
	cmd := exec.Command(python, "-c", pythonCheck)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	if len(lines) != len(checks) {
		t.Fatalf("python3 answered %d of %d cases", len(lines), len(checks))
	}
	for i, c := range checks {
		if got, want := c.want(lines[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s %q: got %s, Python %s", c.kind, c.input, jsonText(got), lines[i])
		}
	}
}

// result is what a field made of its input: errors, or a value.
type result struct {
	Errors []string `json:"errors,omitempty"`
	Value  *string  `json:"value,omitempty"`
	Int    *int64   `json:"int,omitempty"`
}

// textFields reads every field of b as a CharField.
func textFields(b body) map[string]result {
	got := map[string]result{}
	for name := range b {
		f := fields{body: b}
		v := f.text(name)
		if f.errs != nil {
			got[name] = result{Errors: f.errs[name]}
		} else {
			got[name] = result{Value: &v}
		}
	}
	return got
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
