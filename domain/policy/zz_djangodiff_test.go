package policy_test

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/pwreset/pwreset/domain/policy"
)

func TestZZDjangoDiff(t *testing.T) {
	in, err := os.Open(os.Getenv("CASES"))
	if err != nil {
		t.Skip(err)
	}
	want, _ := os.Open(os.Getenv("WANT"))
	sc, sw := bufio.NewScanner(in), bufio.NewScanner(want)
	sc.Buffer(nil, 1<<20)
	n, bad := 0, 0
	for sc.Scan() {
		sw.Scan()
		var c struct {
			Password string
			Attrs    [][2]string
			Min      int
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		var w []string
		json.Unmarshal(sw.Bytes(), &w)
		var attrs []policy.Attribute
		for _, a := range c.Attrs {
			attrs = append(attrs, policy.Attribute{Name: a[0], Value: a[1]})
		}
		got := policy.New(c.Min).Check(c.Password, attrs)
		n++
		if !slices.Equal(got, w) && !(len(got) == 0 && len(w) == 0) {
			bad++
			if bad < 20 {
				t.Errorf("%q %q min %d: got %q want %q", c.Password, c.Attrs, c.Min, got, w)
			}
		}
	}
	t.Logf("%d cases, %d differ", n, bad)
}
