package image_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// probeProgram is the whole of the probe image: a static program that exits 0.
const probeProgram = "package main\n\nfunc main() {}\n"

// containers returns podman set up to run containers on this machine, trying each OCI
// runtime in turn on a probe image of its own (built with buildah from scratch); it
// skips the test, with what buildah or podman said, where none can. The probe does
// not involve pwreset's image, so a broken image fails the test instead of skipping it.
func containers(t *testing.T) podman {
	t.Helper()
	buildah := need(t, "buildah")
	p := podman{bin: need(t, "podman"), limit: ulimits}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(probeProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module probe\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", "probe", ".")
	build.Dir, build.Env = dir, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the probe program: %v\n%s", err, out)
	}

	image := "localhost/" + uniqueName("pwreset-probe-")
	ctr, err := exec.Command(buildah, "from", "scratch").Output()
	if err != nil {
		t.Skipf("buildah cannot create a container here (buildah from scratch): %v%s", err, stderrOf(err))
	}
	name := strings.TrimSpace(string(ctr))
	for _, step := range [][]string{
		{"copy", "--chmod", "0555", name, filepath.Join(dir, "probe"), "/probe"},
		{"config", "--entrypoint", `["/probe"]`, name},
		{"commit", "--quiet", "--rm", name, image},
	} {
		if err := exec.Command(buildah, step...).Run(); err != nil {
			exec.Command(buildah, "rm", name).Run()
			t.Skipf("buildah cannot build an image here (buildah %s): %v%s", step[0], err, stderrOf(err))
		}
	}
	defer exec.Command(p.bin, "rmi", "--force", image).Run()

	var failures []string
	for _, runtime := range runtimes() {
		try := p
		if runtime != "" {
			try.flags = []string{"--runtime", runtime}
		}
		out, err := try.cmd("run", "--rm", image).CombinedOutput()
		if err == nil {
			return try
		}
		failures = append(failures, runtimeName(runtime)+": "+strings.TrimSpace(string(out)))
	}
	t.Skipf("podman cannot run a container here (a static program in an image of its own):\n%s",
		strings.Join(failures, "\n"))
	return podman{}
}

// runtimes lists the OCI runtimes to try: Debian's runc first where it is installed
// (podman's default on Debian, crun, fails on a host whose cgroups are in hybrid
// mode), then podman's default ("").
func runtimes() []string {
	var list []string
	if path, err := exec.LookPath("runc"); err == nil {
		list = append(list, path)
	} else if _, err := os.Stat("/usr/sbin/runc"); err == nil {
		list = append(list, "/usr/sbin/runc") // not on a user's PATH
	}
	return append(list, "")
}

func runtimeName(runtime string) string {
	if runtime == "" {
		return "podman's default runtime"
	}
	return runtime
}
