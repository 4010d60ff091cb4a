package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestCampaignArguments: bad arguments exit 2 before any configuration is read,
// naming what is wrong; --ids - reads ids from standard input.
func TestCampaignArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "pwreset campaign: e-mail a reset link"},
		{[]string{"launch"}, `unknown subcommand "launch"`},
		{[]string{"start", "--rate", "0"}, "--rate 0: want more than 0"},
		{[]string{"start", "--rate", "-3"}, "--rate -3"},
		{[]string{"start", "--where", "nofield"}, `--where "nofield": want FIELD=VALUE`},
		{[]string{"start", "--ids", "-", "--where", "a=b"}, "--ids and --where"},
		{[]string{"start", "extra"}, `unexpected argument "extra"`},
		{[]string{"start", "--ids", "/nonexistent/ids.txt"}, "--ids: open /nonexistent/ids.txt"},
		{[]string{"pause"}, "takes one campaign id"},
		{[]string{"cancel", "a", "b"}, "takes one campaign id"},
		{[]string{"status", "a", "b"}, "at most one campaign id"},
	} {
		var out, errOut bytes.Buffer
		if code := campaignCommand(tc.args, nil, strings.NewReader(""), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("campaign %q: exit %d, %q; want 2 and %q", tc.args, code, errOut.String(), tc.want)
		}
	}
	spec, err := parseCampaignArgs("start", []string{"--ids", "-", "--rate", "25", "--invalidate-passwords"},
		strings.NewReader("42\n\n# a comment\n 7 \n"))
	if err != nil || !slices.Equal(spec.IDs, []string{"42", "7"}) || spec.Rate != 25 || !spec.Invalidate {
		t.Errorf("start --ids - from standard input: %+v, %v", spec, err)
	}
	if _, err := parseCampaignArgs("start", []string{"--ids", "-"}, strings.NewReader("\n# none\n")); err == nil {
		t.Error("an ids list without ids was accepted")
	}
}
