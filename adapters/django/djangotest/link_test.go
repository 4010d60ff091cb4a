package djangotest_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/django/djangotest"
	"github.com/pwreset/pwreset/domain/link"
)

// ids covers every way pickle writes a string: short and long opcodes around the
// 255/256-byte boundary (counted in UTF-8 bytes), a frame that grows past 64 KiB
// while the id stays under it, and ids of 64 KiB and more, written outside frames.
var ids = map[string]string{
	"empty":             "",
	"integer":           "42",
	"ObjectId":          "65a1b2c3d4e5f60718293a4b",
	"255 bytes":         strings.Repeat("a", 255),
	"256 bytes":         strings.Repeat("a", 256),
	"non-ASCII":         "Łódź-ユーザー-🙂",
	"non-ASCII at 255":  strings.Repeat("é", 127) + "a", // 255 bytes, 128 characters
	"non-ASCII at 256":  strings.Repeat("é", 128),       // 256 bytes, 128 characters
	"several KB":        strings.Repeat("0123456789", 700),
	"frame over 64 KiB": strings.Repeat("b", 65500),
	"64 KiB - 1":        strings.Repeat("c", 65535),
	"64 KiB":            strings.Repeat("d", 65536),
	"over 64 KiB":       strings.Repeat("ü", 40000),
	"separators":        "a:b$c'\"\\\n\x00",
}

func TestPickleMatchesPython(t *testing.T) {
	django := djangotest.Start(t)
	var names []string
	var reqs []djangotest.Request
	for name, id := range ids {
		for _, ts := range []int64{1764100000, 0, -1, 1 << 62} {
			names = append(names, name)
			reqs = append(reqs, djangotest.Request{Op: "pickle", UserID: id, Timestamp: ts})
		}
	}
	for i, a := range django.Ask(t, reqs...) {
		c := link.Claims{UserID: reqs[i].UserID, Timestamp: reqs[i].Timestamp}
		if got := hex.EncodeToString(link.DjangoValue(c)); got != a.Hex {
			t.Errorf("%s at %d: pickle differs from Python's\n got %.300s\nwant %.300s", names[i], c.Timestamp, got, a.Hex)
		}
	}
}
