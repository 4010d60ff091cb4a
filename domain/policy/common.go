package policy

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"slices"
	"strings"
	"sync"
)

// commonPasswordsGz is the list CommonPasswordValidator checks: 40,256 common passwords,
// the union of Django's own list (19,726 entries, BSD-3-Clause) and zxcvbn 4.4.2's
// 30,000 most frequent passwords (MIT, Dropbox). It is gzipped text, one password a
// line, lowercased and stripped as Django compares them, deduplicated and sorted
// bytewise. common-passwords.sh regenerates it and says where each source comes from.
//
//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords is the list, decompressed on first use so that programs which never
// check a password do not pay for it. The strings share one backing string.
var commonPasswords = sync.OnceValue(func() []string {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		// The list is compiled in; a broken one is a build defect that tests catch.
		panic("policy: embedded common-password list: " + err.Error())
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		panic("policy: embedded common-password list: " + err.Error())
	}
	return strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
})

// isCommon reports whether password is on the list once lowercased and stripped,
// in that order, as Django's CommonPasswordValidator compares it.
func isCommon(password string) bool {
	_, found := slices.BinarySearch(commonPasswords(), strings.TrimFunc(pyLower(password), pyIsSpace))
	return found
}
