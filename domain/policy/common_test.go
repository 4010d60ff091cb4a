package policy_test

import (
	"bufio"
	"compress/gzip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/domain/policy"
)

// TestCommonPasswordList checks the shipped list: large enough, normalized the way
// passwords are compared, sorted for binary search, and every entry rejected.
func TestCommonPasswordList(t *testing.T) {
	f, err := os.Open("common-passwords.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for sc := bufio.NewScanner(zr); sc.Scan(); {
		list = append(list, sc.Text())
	}
	if len(list) < 20000 {
		t.Fatalf("list has %d entries, want at least 20000", len(list))
	}
	if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) {
		t.Fatal("list is not sorted bytewise and deduplicated")
	}
	for _, want := range []string{"creative", "password123"} {
		if _, found := slices.BinarySearch(list, want); !found {
			t.Errorf("%q is not on the list", want)
		}
	}
	p := policy.New(0)
	for _, pw := range list {
		// ToLower and TrimSpace stand in for the lower and strip the script applied.
		if pw == "" || pw != strings.ToLower(strings.TrimSpace(pw)) {
			t.Errorf("entry %q is not lowercased and stripped", pw)
		}
		if !slices.Contains(p.Check(pw, nil), common) {
			t.Errorf("Check(%q) does not say it is common", pw)
		}
	}
}
