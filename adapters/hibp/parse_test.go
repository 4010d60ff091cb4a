package hibp

import (
	"strings"
	"testing"
)

// FuzzLookup feeds the parser arbitrary answers: it must never panic, and must only
// report a breach that the body really lists.
func FuzzLookup(f *testing.F) {
	const suffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8"
	f.Add("1E4C9B93F3F0682250B6CF8331B7EE68FD8:3\r\n0018A45C4D1DEF81644B54AB7F969B88D65:0", suffix)
	f.Add("1e4c9b93f3f0682250b6cf8331b7ee68fd8:0\n", suffix)
	f.Add("", suffix)
	f.Add(":\r\n", "")
	f.Add("1E4C9B93F3F0682250B6CF8331B7EE68FD8:18446744073709551616", suffix)
	f.Add("<html>\xff\xfe</html>", suffix)
	f.Fuzz(func(t *testing.T, body, suffix string) {
		found, err := lookup(body, suffix)
		if found && err != nil {
			t.Fatalf("found and error %v", err)
		}
		if found && !strings.Contains(strings.ToUpper(body), strings.ToUpper(suffix)+":") {
			t.Fatalf("found %q in a body that does not list it", suffix)
		}
		// Only a real suffix is a secret; a short fuzzed one may match any word.
		if err != nil && len(suffix) == suffixLen && isHex(suffix) && strings.Contains(err.Error(), suffix) {
			t.Fatalf("error %q quotes the suffix", err)
		}
	})
}
