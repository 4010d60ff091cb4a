package policy

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

func TestZZLower(t *testing.T) {
	f, err := os.Open("/tmp/ucmp/lowin.txt")
	if err != nil {
		t.Skip(err)
	}
	sc := bufio.NewScanner(f)
	bad := 0
	for sc.Scan() {
		in, want, _ := strings.Cut(sc.Text(), " ")
		b, _ := hex.DecodeString(in)
		if got := hex.EncodeToString([]byte(pyLower(string(b)))); got != want {
			bad++
			if bad < 20 {
				t.Errorf("%q: got %s want %s", b, got, want)
			}
		}
	}
}
