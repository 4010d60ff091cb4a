package harness

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Where the browser test saves its screenshots, relative to the repository root;
// PWRESET_SCREENSHOTS overrides it. With PWRESET_README_SCREENSHOT=1 it also writes
// the README's picture.
const (
	screenshotDir    = "screenshots" // gitignored
	readmeScreenshot = "docs/img/reset-page.png"
)

// browserStep bounds each browser step; it only turns a hang into a failure.
const browserStep = 60 * time.Second

// FindChromium returns the browser to drive, and skips the test only when there is none.
func FindChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("Chromium is not installed (apt-get install -y chromium): the hosted reset page is not tested in a browser")
	return ""
}

// NewBrowser starts headless Chromium with a fresh profile. The flags keep it off
// the network but for the page under test (this machine refuses other connections),
// and let it run as root.
func NewBrowser(t *testing.T, chrome string) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(900, 760),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser, and must not be bounded (a bound would stop it).
	if _, err := chromedp.Run(browser, chromedp.Func(func(context.Context, *chromedp.Target) error { return nil })); err != nil {
		t.Fatalf("start Chromium %s: %v", chrome, err)
	}
	return browser
}

// Tab opens a tab whose requests, the page's own fetch included, carry acceptLanguage.
func Tab(t *testing.T, browser context.Context, acceptLanguage string) context.Context {
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	// The first call on a tab opens it, and must not be bounded (a bound would close it).
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	headers := network.Headers{"Accept-Language": acceptLanguage}
	Do(t, ctx, "set Accept-Language", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: headers})
		return err
	}))
	return ctx
}

// Do runs the steps of one action, failing the test if they fail or hang.
func Do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Value runs an action that reads something off the page.
func Value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return v
}

// Screenshot saves the tab's viewport as a PNG, and as the README's picture when
// readme is set and PWRESET_README_SCREENSHOT=1.
func Screenshot(t *testing.T, ctx context.Context, name string, readme bool) {
	t.Helper()
	png := Value(t, ctx, chromedp.CaptureScreenshot())
	dir := os.Getenv("PWRESET_SCREENSHOTS")
	if dir == "" {
		dir = screenshotDir
	}
	paths := []string{RepoPath(t, filepath.Join(dir, name))}
	if readme && os.Getenv("PWRESET_README_SCREENSHOT") == "1" {
		paths = append(paths, RepoPath(t, readmeScreenshot))
	}
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
