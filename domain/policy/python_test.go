package policy

import (
	"slices"
	"testing"
)

// These tests pin the helpers that port Python behaviour to the values CPython 3.11
// gives, because Check alone cannot show some of it: a skipped ratio would have
// failed anyway, and a rare lowercase mapping seldom changes a verdict.

func TestQuickRatio(t *testing.T) {
	tests := []struct {
		a, b string
		want float64 // SequenceMatcher(a=a, b=b).quick_ratio()
	}{
		{"", "", 1},
		{"abc", "", 0},
		{"", "abc", 0},
		{"alice2024x", "alice2024", 0.9473684210526315},
		{"aab", "abb", 0.6666666666666666},
		{"σοφια12345", "σοφια", 0.6666666666666666},
		{"johnsmith1", "john.smith@example.com", 0.5625},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			if got := quickRatio([]rune(tt.a), []rune(tt.b)); got != tt.want {
				t.Errorf("quickRatio(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestExceedsMaxLengthRatio(t *testing.T) {
	tests := []struct {
		pwdLen, valueLen int
		want             bool
	}{
		{10, 1, true}, {9, 1, false}, {20, 2, true}, {19, 2, false},
		{100, 10, true}, {100, 11, false},
		{1, 0, true}, {0, 0, false}, // why "" still matches an empty password
	}
	for _, tt := range tests {
		if got := exceedsMaxLengthRatio(tt.pwdLen, tt.valueLen); got != tt.want {
			t.Errorf("exceedsMaxLengthRatio(%d, %d) = %t, want %t", tt.pwdLen, tt.valueLen, got, tt.want)
		}
	}
}

func TestNonWordSplit(t *testing.T) {
	tests := []struct {
		value string
		want  []string // re.split(r"\W+", value)
	}{
		{"john.smith@example.com", []string{"john", "smith", "example", "com"}},
		{".alice.", []string{"", "alice", ""}},
		{".", []string{"", ""}},
		{"", []string{""}},
		{"zoë.müller", []string{"zoë", "müller"}},
		{"a__b-c", []string{"a__b", "c"}},
		{"x²y½Ⅻ", []string{"x²y½Ⅻ"}},
		{"a\u0301b", []string{"a", "b"}}, // a combining mark is not a word character
		{"中文 テスト", []string{"中文", "テスト"}},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			if got := nonWord.Split(tt.value, -1); !slices.Equal(got, tt.want) {
				t.Errorf("split(%q) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestPyLower(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Alice", "alice"},
		{"İstanbul", "i\u0307stanbul"},
		{"ΟΔΥΣΣΕΑΣ", "οδυσσεας"},
		{"ΑΣ1", "ας1"},
		{"ΑΣ.Σ", "ασ.ς"}, // "." is case-ignorable: the first Σ is followed by a letter
		{"ΑΣ'Α", "ασ'α"},
		{"ΑΣΑ", "ασα"},
		{"Σ", "σ"},
	}
	for _, tt := range tests {
		if got := pyLower(tt.in); got != tt.want {
			t.Errorf("pyLower(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPyIsSpaceAndDigit(t *testing.T) {
	for _, r := range "\x1c\x1f\u2028\u00a0\u0085 \t" {
		if !pyIsSpace(r) {
			t.Errorf("pyIsSpace(%U) = false, want true", r)
		}
	}
	if pyIsSpace('\u200b') {
		t.Error("pyIsSpace(U+200B) = true, want false")
	}
	for _, r := range "7²①٣\U0001f101" {
		if !pyIsDigit(r) {
			t.Errorf("pyIsDigit(%U) = false, want true", r)
		}
	}
	for _, r := range "½Ⅻa" {
		if pyIsDigit(r) {
			t.Errorf("pyIsDigit(%U) = true, want false", r)
		}
	}
}
