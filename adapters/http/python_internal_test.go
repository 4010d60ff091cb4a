package http

import (
	"encoding/json"
	"testing"
)

// TestPyStr checks str() of JSON numbers against what Python 3.11 prints for
// str(json.loads(s)).
func TestPyStr(t *testing.T) {
	tests := map[string]string{
		"123": "123", "1E2": "100.0", "1.50": "1.5", "-0": "0", "-0.0": "-0.0", "1e16": "1e+16",
		"1e15": "1000000000000000.0", "123456789012345678": "123456789012345678", "1.5e-5": "1.5e-05",
		"0.0001": "0.0001", "0.00001": "1e-05", "1e400": "inf", "-1e400": "-inf",
		"12345678901234567.0": "1.2345678901234568e+16", "1e-7": "1e-07",
		"3.14159265358979323846": "3.141592653589793", "0e5": "0.0",
	}
	for in, want := range tests {
		if got := pyStr(json.Number(in)); got != want {
			t.Errorf("pyStr(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestPyInt checks int() of strings against Python's.
func TestPyInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12", 12, true}, {" +12\u00a0", 12, true}, {"\u001c12", 0, false}, {"-1_000", -1000, true}, {"\u0661\u0662", 12, true},
		{"\U0001D7D8\U0001D7E2", 0, true}, // zeros of two adjacent runs of mathematical digits
		{"1__0", 0, false}, {"_1", 0, false}, {"1_", 0, false}, {"", 0, false}, {"- 1", 0, false},
		{"1 2", 0, false}, {"0x10", 0, false}, {"9223372036854775808", 0, false},
	}
	for _, tt := range tests {
		got, ok := pyInt(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("pyInt(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPyDecode checks bytes.decode("utf-8", "replace") against Python 3.11.
func TestPyDecode(t *testing.T) {
	tests := map[string]string{
		"\xed\xa0\x80": "\ufffd\ufffd\ufffd", "\xe2\x82A": "\ufffdA", "\xf0\x9f\x98": "\ufffd",
		"\xff\xfe": "\ufffd\ufffd", "\xc3": "\ufffd", "\xf4\x90\x80\x80": "\ufffd\ufffd\ufffd\ufffd",
		"\xe0\x80\x80": "\ufffd\ufffd\ufffd", "\xf0\x9f\x98A\xf0\x9f\x98\x80": "\ufffdA\U0001F600",
		"ok \ufffd": "ok \ufffd", "a\x80\x80b": "a\ufffd\ufffdb",
	}
	for in, want := range tests {
		if got := pyDecode(in); got != want {
			t.Errorf("pyDecode(%q) = %q, want %q", in, got, want)
		}
	}
}
