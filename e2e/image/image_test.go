package image_test

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/e2e/harness"
)

// The files the image holds, and nothing else but their folders.
var wantFiles = map[string]os.FileMode{
	"/usr/local/bin/pwreset":             0o555,
	"/etc/ssl/certs/ca-certificates.crt": 0o444,
	"/etc/passwd":                        0o444,
	"/etc/group":                         0o444,
}

// imageConfig is the part of `podman image inspect` the tests read.
type imageConfig struct {
	User         string
	Entrypoint   []string
	Cmd          []string
	ExposedPorts map[string]struct{}
	StopSignal   string
}

// TestImage builds the image with deploy/image/build, as CI and people do, checks what
// it holds, and runs it with podman.
func TestImage(t *testing.T) {
	p := containers(t)
	image := "localhost/" + uniqueName("pwreset-e2e-") + ":test"
	archive := filepath.Join(t.TempDir(), "pwreset.tar")
	out, err := exec.Command("bash", harness.RepoPath(t, "deploy/image/build"),
		"--tag", image, "--archive", archive).CombinedOutput()
	t.Cleanup(func() { p.cmd("rmi", "--force", image).Run() })
	if err != nil {
		t.Fatalf("deploy/image/build: %v\n%s", err, out)
	}
	t.Logf("image %s: %s", image, p.out(t, "image", "inspect", "--format", "{{.Size}} bytes", image))

	var inspected []struct{ Config imageConfig }
	if err := json.Unmarshal([]byte(p.out(t, "image", "inspect", image)), &inspected); err != nil || len(inspected) != 1 {
		t.Fatalf("podman image inspect: %v (%d images)", err, len(inspected))
	}
	cfg := inspected[0].Config

	t.Run("config", func(t *testing.T) { checkConfig(t, cfg) })
	t.Run("contents", func(t *testing.T) { checkContents(t, p, image, cfg) })
	t.Run("no shell", func(t *testing.T) {
		out, err := p.cmd("run", "--rm", "--entrypoint", "/bin/sh", image, "-c", "true").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "/bin/sh") {
			t.Errorf("podman run --entrypoint /bin/sh: want a failure naming /bin/sh, got %v:\n%s", err, out)
		}
	})
	t.Run("archive", func(t *testing.T) { checkArchive(t, archive) })
	t.Run("serves the demo", func(t *testing.T) { checkServes(t, p, image, cfg) })
}

func checkConfig(t *testing.T, cfg imageConfig) {
	uid := userID(t, cfg.User)
	if uid == 0 {
		t.Errorf("image user %q is root", cfg.User)
	}
	if strings.Join(cfg.Entrypoint, " ") != "/usr/local/bin/pwreset" || strings.Join(cfg.Cmd, " ") != "serve" {
		t.Errorf("entrypoint %q, cmd %q: want [/usr/local/bin/pwreset] [serve]", cfg.Entrypoint, cfg.Cmd)
	}
	if _, ok := cfg.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports %v: want 8080/tcp, HTTP_ADDR's default", cfg.ExposedPorts)
	}
	if cfg.StopSignal != "SIGTERM" {
		t.Errorf("stop signal %q: want SIGTERM, on which pwreset drains its requests", cfg.StopSignal)
	}
}

// userID returns the numeric uid of an image's user ("65532" or "65532:65532"); a
// name would leave Kubernetes' runAsNonRoot unable to check it.
func userID(t *testing.T, user string) int {
	t.Helper()
	uid, err := strconv.Atoi(strings.SplitN(user, ":", 2)[0])
	if err != nil {
		t.Fatalf("image user %q is not numeric: %v", user, err)
	}
	return uid
}

// checkContents mounts the image's file system and checks that it holds exactly the
// expected files: a static binary, the build machine's CA bundle, a passwd naming the
// image's user; so no shell or any other program.
func checkContents(t *testing.T, p podman, image string, cfg imageConfig) {
	root, err := p.cmd("image", "mount", image).Output()
	if err != nil {
		t.Skipf("podman image mount (it needs root): %v%s", err, stderrOf(err))
	}
	defer p.cmd("image", "unmount", image).Run()
	dir := strings.TrimSpace(string(root))

	found := map[string]os.FileMode{}
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		found["/"+strings.TrimPrefix(path, dir+"/")] = info.Mode()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, mode := range found {
		if want, ok := wantFiles[name]; !ok {
			t.Errorf("unexpected %s (%v) in the image", name, mode)
		} else if mode != want {
			t.Errorf("%s: mode %v, want %v", name, mode, want)
		}
	}
	for name := range wantFiles {
		if _, ok := found[name]; !ok {
			t.Errorf("%s missing from the image", name)
		}
	}

	checkStatic(t, dir, "/usr/local/bin/pwreset")
	if host, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		inImage, err := os.ReadFile(filepath.Join(dir, "etc/ssl/certs/ca-certificates.crt"))
		if err != nil || !bytes.Equal(host, inImage) || !bytes.Contains(inImage, []byte("BEGIN CERTIFICATE")) {
			t.Errorf("the image's CA bundle is not the build machine's (%v)", err)
		}
	}
	passwd, err := os.ReadFile(filepath.Join(dir, "etc/passwd"))
	if err != nil {
		t.Fatal(err)
	}
	uid := strconv.Itoa(userID(t, cfg.User))
	if !strings.Contains(string(passwd), ":x:"+uid+":"+uid+":") {
		t.Errorf("/etc/passwd has no entry for uid %s:\n%s", uid, passwd)
	}
}

// checkStatic fails unless the image's binary at path needs no dynamic loader and no
// shared library.
func checkStatic(t *testing.T, root, path string) {
	f, err := elf.Open(filepath.Join(root, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Errorf("%s asks for a dynamic loader: it is not static (build with CGO_ENABLED=0)", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", path, libs)
	}
}
