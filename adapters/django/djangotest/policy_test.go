package djangotest_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/django/djangotest"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// similarityCase is a user and a password, asked of Django and of pwreset.
type similarityCase struct {
	user     djangotest.User
	password string
}

// oberhauser is the user of issue 20: DRR refused her last name as a password.
var oberhauser = djangotest.User{Username: "kathrin.o", FirstName: "Kathrin", LastName: "Oberhauser", Email: "k.oberhauser@example.com"}

// similarityCases are hand-picked: each attribute alone, Django's order when several
// are similar, compound and non-ASCII names, and names that are not similar.
var similarityCases = []similarityCase{
	{oberhauser, "Oberhauser"},
	{oberhauser, "oberhauser!"},
	{oberhauser, "Kathrin1984"},
	{oberhauser, "kathrin.o"},
	{oberhauser, "koberhauser@example"},
	{oberhauser, "KathrinOberhauser"},
	{oberhauser, "correct horse battery"},
	{djangotest.User{Username: "kathrin", FirstName: "Kathrin", LastName: "Kathrin"}, "kathrin1"},   // username first
	{djangotest.User{Username: "x", FirstName: "Oberhauser", LastName: "Oberhauser"}, "oberhauser"}, // first before last
	{djangotest.User{Username: "x", FirstName: "Maria José", LastName: "García-Márquez"}, "marquez99"},
	{djangotest.User{Username: "x", FirstName: "Maria José", LastName: "García-Márquez"}, "JOSÉ2024"},
	{djangotest.User{Username: "x", FirstName: "Jean-Luc", LastName: "Picard"}, "jeanluc!"},
	{djangotest.User{Username: "x", FirstName: "Zoë", LastName: "Müller-Lüdenscheidt"}, "lüdenscheidt"},
	{djangotest.User{Username: "x", FirstName: "Σοφία", LastName: "Παπαδοπούλου"}, "ΣΟΦΊΑ123"},
	{djangotest.User{Username: "x", FirstName: "李", LastName: "小龍"}, "小龍小龍"},
	{djangotest.User{Username: "x", FirstName: "Al", LastName: "Bo"}, "al"},
	{djangotest.User{Username: "x", FirstName: "Al", LastName: "Bo"}, "alalalalalalalalalal"},
	{djangotest.User{Username: "x", FirstName: "", LastName: ""}, ""},
	{djangotest.User{Username: "x", FirstName: "Ann", LastName: "Lee"}, "unrelated-phrase-42"},
}

// TestPolicyMatchesDjango: for each user and password, pwreset's policy over the
// attributes the reset compares (reset.Attributes) gives the similarity message
// Django's UserAttributeSimilarityValidator gives for an auth.User with the same
// username, first_name, last_name and email, or none where Django gives none. The
// hand-picked cases come first, then seeded variations of names and addresses
// (the seed is printed; PWRESET_SEED replays it).
func TestPolicyMatchesDjango(t *testing.T) {
	dj := djangotest.Start(t)
	seed := uint64(time.Now().UnixNano())
	if s := getenvSeed(t); s != 0 {
		seed = s
	}
	t.Logf("seed %d (PWRESET_SEED=%d replays it)", seed, seed)
	cases := append(slices.Clone(similarityCases), randomSimilarityCases(rand.New(rand.NewPCG(seed, 20)), 300)...)

	reqs := make([]djangotest.Request, len(cases))
	for i, c := range cases {
		reqs[i] = djangotest.Request{Op: "validate", Password: c.password, User: &c.user,
			Validators: []string{"UserAttributeSimilarityValidator"}}
	}
	answers := dj.Ask(t, reqs...)
	p := policy.New(0)
	similar := 0
	for i, c := range cases {
		got := similarityMessages(p.Check(c.password, reset.Attributes(portsUser(c.user))))
		if want := answers[i].Messages; !slices.Equal(got, want) {
			t.Errorf("case %d: password %q, user %+v: pwreset %q, Django %s %q", i, c.password, c.user, got, dj.Version, want)
		}
		if len(answers[i].Messages) > 0 {
			similar++
		}
	}
	t.Logf("%d cases, %d of them too similar for Django %s", len(cases), similar, dj.Version)
	if answers[0].Messages[0] != "The password is too similar to the last name." {
		t.Fatalf("Django's message for the last name: %q", answers[0].Messages)
	}
}

// portsUser is the user as a Django store gives it to pwreset (USER_SCHEMA=django).
func portsUser(u djangotest.User) ports.User {
	return ports.User{Logins: []ports.Field{{Name: "username", Value: u.Username}},
		FirstName: u.FirstName, LastName: u.LastName, Email: u.Email}
}

func similarityMessages(msgs []string) []string {
	out := []string{}
	for _, m := range msgs {
		if strings.HasPrefix(m, "The password is too similar to the ") {
			out = append(out, m)
		}
	}
	return out
}

var (
	firstNames = []string{"Kathrin", "Jean-Luc", "Zoë", "Ana María", "Øyvind", "Ilse", "O'Brien", "Σοφία", "Łukasz", "Ümit"}
	lastNames  = []string{"Oberhauser", "García-Márquez", "de la Cruz", "Nguyễn", "Müller", "Smith", "Ó Súilleabháin", "Παπαδόπουλος", "Wałęsa", "Yılmaz"}
)

// randomSimilarityCases builds n users from the name lists and passwords made from
// one of their attributes, changed a little (cut, repeated, cased, digits added) or
// not at all, or unrelated, so that the cases fall on both sides of Django's 0.7.
func randomSimilarityCases(r *rand.Rand, n int) []similarityCase {
	cases := make([]similarityCase, n)
	for i := range cases {
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		u := djangotest.User{
			Username:  strings.ToLower(first[:1]) + fmt.Sprint(r.IntN(1000)),
			FirstName: first, LastName: last,
			Email: strings.ToLower(strings.ReplaceAll(last, " ", "")) + "@example.com",
		}
		if r.IntN(8) == 0 {
			u.FirstName = "" // Django skips empty attributes
		}
		base := []string{u.Username, u.FirstName, u.LastName, u.Email, "qz8#vl3!wp"}[r.IntN(5)]
		cases[i] = similarityCase{user: u, password: vary(r, base)}
	}
	return cases
}

func vary(r *rand.Rand, s string) string {
	runes := []rune(s)
	switch r.IntN(6) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return s + fmt.Sprint(r.IntN(100000))
	case 2:
		if len(runes) > 1 {
			return string(runes[:1+r.IntN(len(runes)-1)])
		}
	case 3:
		return strings.Repeat(s, 2+r.IntN(3))
	case 4:
		return "x" + s + "!#"
	}
	return s
}

// getenvSeed is PWRESET_SEED, or 0 when it is not set.
func getenvSeed(t *testing.T) uint64 {
	v := os.Getenv("PWRESET_SEED")
	if v == "" {
		return 0
	}
	s, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("PWRESET_SEED=%q is not a seed: %v", v, err)
	}
	return s
}
