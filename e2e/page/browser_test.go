package page

import (
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/pwreset/pwreset/e2e/harness"
)

// tabOptions say how a tab browses.
type tabOptions struct {
	lang     string // Accept-Language of every request, the page's fetches included
	noScript bool   // JavaScript off
	dark     bool   // prefers-color-scheme: dark
	forced   bool   // forced-colors: active (Windows high contrast)
}

// openTab opens a tab of browser set up as o says.
func openTab(t *testing.T, browser context.Context, o tabOptions) context.Context {
	t.Helper()
	ctx := harness.Tab(t, browser, o.lang)
	scheme := "light"
	if o.dark {
		scheme = "dark"
	}
	forced := "none"
	if o.forced {
		forced = "active"
	}
	harness.Do(t, ctx, "emulate the colour scheme", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{
			{Name: "prefers-color-scheme", Value: scheme}, {Name: "forced-colors", Value: forced}}})
		return err
	}))
	// Chromium's advice on the page's markup ("[DOM] Password forms should have
	// (optionally hidden) username fields", ...) arrives as log entries.
	advice := &adviceLog{}
	if err := chromedp.Listen(ctx, advice.add); err != nil {
		t.Fatal(err)
	}
	harness.Do(t, ctx, "hear Chromium's advice", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, log.Enable, cdp.Empty{})
		return err
	}))
	ctx = context.WithValue(ctx, adviceKey{}, advice)
	if o.noScript {
		harness.Do(t, ctx, "turn JavaScript off", scripts(false))
		ctx = context.WithValue(ctx, noScriptKey{}, true)
	}
	return ctx
}

// adviceLog collects what Chromium advises about a tab's markup.
type adviceLog struct {
	mu     sync.Mutex
	advice []string
}

// adviceKey is the context key of a tab's adviceLog.
type adviceKey struct{}

func (a *adviceLog) add(ev any) {
	if e, ok := ev.(*log.EventEntryAdded); ok && (e.Entry.Source == log.EntrySourceRecommendation || strings.HasPrefix(e.Entry.Text, "[DOM]")) {
		a.mu.Lock()
		a.advice = append(a.advice, e.Entry.Text)
		a.mu.Unlock()
	}
}

// take returns the advice given since the last call.
func (a *adviceLog) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	advice := a.advice
	a.advice = nil
	return advice
}

// noScriptKey marks the context of a tab whose pages run no script.
type noScriptKey struct{}

// scripts turns the tab's JavaScript on or off.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// read runs an action that reads something off the page. In a tab without
// JavaScript, DevTools cannot evaluate either: scripts are turned on for the read
// and off again, which runs none of the page's (those ran, or not, as it loaded).
func read[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	if ctx.Value(noScriptKey{}) != nil {
		harness.Do(t, ctx, "turn JavaScript on to read", scripts(true))
		defer harness.Do(t, ctx, "turn JavaScript off again", scripts(false))
	}
	return harness.Value(t, ctx, a)
}

// js evaluates expression in the page (from DevTools: it runs with the page's
// scripts off too).
func js[T any](t *testing.T, ctx context.Context, expression string) T {
	t.Helper()
	return read(t, ctx, chromedp.Evaluate[T](expression))
}

// shown is what the page shows: its title, heading, the messages above the form,
// the status line, and which forms are visible.
type shown struct {
	Title, Heading, Errors, Status string
	ResetForm, LinkForm, SignIn    bool
}

func (s shown) String() string {
	type fields shown // without this method
	return fmt.Sprintf("%+v", fields(s))
}

// state reads what the page shows.
func state(t *testing.T, ctx context.Context) shown {
	t.Helper()
	return js[shown](t, ctx, `(() => {
		const visible = id => { const e = document.getElementById(id); return !!e && e.getClientRects().length > 0; };
		const text = id => { const e = document.getElementById(id); return e ? e.innerText.trim().replace(/[ \t\r\n]+/g, " ") : ""; };
		return { Title: document.title, Heading: text("heading"), Errors: text("form-errors"), Status: text("status"),
			ResetForm: visible("reset-form"), LinkForm: visible("link-form"), SignIn: visible("sign-in") };
	})()`)
}

var (
	axeOnce   sync.Once
	axeSource string
	axeSkip   string
)

// axePath is where .ci/run installs axe-core, from the repository's root;
// PWRESET_AXE overrides it.
const axePath = ".cache/axe/node_modules/axe-core/axe.min.js"

// checkAccessibility fails the test for every piece of advice Chromium gave on the
// tab's markup so far, then runs axe-core (WCAG 2.x A and AA, and best practices)
// on the page as it is now and fails the test for every violation. It skips axe,
// saying why, only when axe-core was not installed.
func checkAccessibility(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if advice, ok := ctx.Value(adviceKey{}).(*adviceLog); ok {
		for _, a := range advice.take() {
			t.Errorf("%s: Chromium advises %q", what, a)
		}
	}
	axeOnce.Do(func() {
		path := os.Getenv("PWRESET_AXE")
		if path == "" {
			path = harness.RepoPath(t, axePath)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeSkip = fmt.Sprintf("axe-core is not installed (%v): run npm install --prefix .cache/axe axe-core@4.14.1, as .ci/run does", err)
		}
		axeSource = string(b)
	})
	if axeSkip != "" {
		t.Log("accessibility not checked: " + axeSkip)
		return
	}
	type violation struct {
		ID, Help string
		Nodes    []struct{ Target []string }
	}
	// Evaluated from DevTools, the source is not subject to the page's CSP.
	if !js[bool](t, ctx, `!!window.axe`) {
		read(t, ctx, chromedp.Evaluate[bool](axeSource+"\n;true"))
	}
	violations := read(t, ctx, chromedp.Evaluate[[]violation](`(async () => {
		const r = await axe.run(document, { resultTypes: ["violations"] });
		return r.violations.map(v => ({ ID: v.id, Help: v.help, Nodes: v.nodes.map(n => ({ Target: n.target.map(String) })) }));
	})()`, chromedp.EvalAwaitPromise))
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: axe %s (%s) at %s", what, v.ID, v.Help, strings.Join(where, ", "))
	}
}

var rgbPattern = regexp.MustCompile(`rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)`)

// contrast is WCAG's contrast ratio of two CSS colours as getComputedStyle writes them.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(t *testing.T, color string) float64 {
	t.Helper()
	m := rgbPattern.FindStringSubmatch(color)
	if m == nil {
		t.Fatalf("colour %q is not rgb()", color)
	}
	var l float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseFloat(m[i+1], 64)
		v /= 255
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		l += weight * v
	}
	return l
}
