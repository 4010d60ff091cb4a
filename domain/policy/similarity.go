package policy

import "regexp"

// maxSimilarity is Django's default max_similarity for UserAttributeSimilarityValidator.
const maxSimilarity = 0.7

// nonWord is Python 3's \W for str patterns: a run of characters that are neither
// letters, numbers nor underscore. Go's \W is ASCII-only and would split "müller".
var nonWord = regexp.MustCompile(`[^\p{L}\p{N}_]+`)

// tooSimilar returns the first attribute that password resembles, deciding as Django's
// UserAttributeSimilarityValidator does: the password against each word of the value
// and against the whole value.
func tooSimilar(password string, attrs []Attribute) (Attribute, bool) {
	pw := []rune(pyLower(password))
	for _, a := range attrs {
		if a.Value == "" {
			continue
		}
		value := pyLower(a.Value)
		// Like re.split, Split keeps the empty parts at the ends of ".alice.".
		for _, part := range append(nonWord.Split(value, -1), value) {
			p := []rune(part)
			if exceedsMaxLengthRatio(len(pw), len(p)) {
				continue
			}
			if quickRatio(pw, p) >= maxSimilarity {
				return a, true
			}
		}
	}
	return Attribute{}, false
}

// exceedsMaxLengthRatio is Django's shortcut: a value this much shorter than the
// password cannot reach maxSimilarity, so the ratio need not be computed.
func exceedsMaxLengthRatio(pwdLen, valueLen int) bool {
	return pwdLen >= 10*valueLen && float64(valueLen) < maxSimilarity/2*float64(pwdLen)
}

// quickRatio is difflib's SequenceMatcher(a=a, b=b).quick_ratio(): twice the size of
// the multiset intersection of the characters over the total length, 1 when both are
// empty. It is computed the same way so float rounding matches Python's.
func quickRatio(a, b []rune) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	avail := make(map[rune]int, len(b))
	for _, r := range b {
		avail[r]++
	}
	matches := 0
	for _, r := range a {
		if avail[r] > 0 {
			avail[r]--
			matches++
		}
	}
	return 2 * float64(matches) / float64(len(a)+len(b))
}
