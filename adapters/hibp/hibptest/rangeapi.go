package hibptest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
)

// Padding sizes, as HIBP documents them: a padded answer has between 800 and 1,000
// lines.
const (
	minPadded = 800
	maxPadded = 1000
)

// answerRange answers GET /range/{prefix} the way the API does: the suffixes under
// prefix as SUFFIX:COUNT lines, CRLF-separated and sorted, padded if asked.
func (s *Server) answerRange(w http.ResponseWriter, r *http.Request) {
	prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
	if r.Method != http.MethodGet || !ok {
		http.Error(w, "Not found", http.StatusNotFound)
		return
	}
	if len(prefix) != 5 || !isHex(prefix) {
		http.Error(w, "The hash prefix was not in a valid format", http.StatusBadRequest)
		return
	}
	prefix = strings.ToUpper(prefix)

	var lines []string
	s.mu.Lock()
	for hash, count := range s.counts {
		if suffix, ok := strings.CutPrefix(hash, prefix); ok {
			lines = append(lines, fmt.Sprintf("%s:%d", suffix, count))
		}
	}
	s.mu.Unlock()
	if strings.EqualFold(r.Header.Get("Add-Padding"), "true") {
		want := minPadded + randInt(maxPadded-minPadded+1)
		for len(lines) < want {
			lines = append(lines, randomSuffix()+":0")
		}
	}
	slices.Sort(lines)
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, strings.Join(lines, "\r\n"))
}

// randomSuffix returns 35 random uppercase hex digits, a padding line's suffix.
func randomSuffix() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))[:35]
}

// randInt returns a uniform random int in [0, n).
func randInt(n int) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(int64(n)))
	return int(v.Int64())
}

// isHex reports whether s holds only hex digits, in either case.
func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdefABCDEF") == ""
}
