package deploy_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Figures of docs/performance.md the resources are sized from.
const (
	residentMiB = 34 // RSS under sustained send-link (29.4 to 34 MiB)
	hashSlack   = 3  // a hash's memory is freed late: plan HASH_CONCURRENCY × hash × 3
)

// outcomesAfterGrace is how long storing the outcomes of cancelled sends may take after
// SHUTDOWN_GRACE (docs/operations.md, "Shutdown").
const outcomesAfterGrace = 5 * time.Second

func TestKubernetesSecurity(t *testing.T) {
	m := loadManifests(t)
	pod := m.deployments[0].Spec.Template.Spec
	c, _ := container(t, m.deployments[0])
	ps, cs := pod.SecurityContext, c.SecurityContext
	if ps == nil || cs == nil {
		t.Fatal("the pod and the container each need a securityContext")
	}
	uid := imageUser(t)
	checks := []struct {
		what string
		ok   bool
	}{
		{"runAsNonRoot: true", ps.RunAsNonRoot != nil && *ps.RunAsNonRoot},
		{fmt.Sprintf("runAsUser: %d, the image's user", uid), ps.RunAsUser != nil && *ps.RunAsUser == uid},
		{"readOnlyRootFilesystem: true", cs.ReadOnlyRootFilesystem != nil && *cs.ReadOnlyRootFilesystem},
		{"allowPrivilegeEscalation: false", cs.AllowPrivilegeEscalation != nil && !*cs.AllowPrivilegeEscalation},
		{"privileged: false or unset", cs.Privileged == nil || !*cs.Privileged},
		{"capabilities: drop ALL, add none", cs.Capabilities != nil && slices.Contains(cs.Capabilities.Drop, "ALL") && len(cs.Capabilities.Add) == 0},
	}
	for _, check := range checks {
		if !check.ok {
			t.Errorf("securityContext: want %s", check.what)
		}
	}
}

// imageUser reads the uid that deploy/image/build gives the image.
func imageUser(t *testing.T) int64 {
	t.Helper()
	script, err := os.ReadFile("image/build")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^uid=(\d+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("deploy/image/build sets no uid=N")
	}
	uid, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return uid
}

func TestKubernetesResources(t *testing.T) {
	m := loadManifests(t)
	d := m.deployments[0]
	c, cfg := container(t, d)
	req, lim := c.Resources.Requests, c.Resources.Limits
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		r, hasReq := req[name]
		l, hasLim := lim[name]
		if !hasReq || !hasLim {
			t.Errorf("%s: want both a request and a limit", name)
		} else if r.Cmp(l) > 0 {
			t.Errorf("%s: request %s above limit %s", name, r.String(), l.String())
		}
	}
	// Go sets GOMAXPROCS from the CPU limit, and the hash pool follows it unless
	// HASH_CONCURRENCY says otherwise.
	cpu := lim[corev1.ResourceCPU]
	pool := int64(cfg.Hasher.Concurrency)
	if pool == 0 {
		pool = max(1, (cpu.MilliValue()+999)/1000)
	}
	hashMiB := int64(cfg.Hasher.Argon2Memory) / 1024
	need := resource.MustParse(fmt.Sprintf("%dMi", residentMiB+pool*hashMiB*hashSlack))
	if r := req[corev1.ResourceMemory]; r.Cmp(need) < 0 {
		t.Errorf("memory request %s: below %s, %d MiB resident + %d hashes x %d MiB x %d (docs/performance.md)",
			r.String(), need.String(), residentMiB, pool, hashMiB, hashSlack)
	}
	limit := lim[corev1.ResourceMemory]
	if v := envValue(c, "GOMEMLIMIT"); v != "" {
		goLimit, err := resource.ParseQuantity(strings.TrimSuffix(v, "B"))
		if err != nil || goLimit.Cmp(limit) >= 0 || goLimit.Cmp(need) < 0 {
			t.Errorf("GOMEMLIMIT %s: want between %s and the memory limit %s (%v)", v, need.String(), limit.String(), err)
		}
	}
	// The kubelet sends SIGTERM after preStop; pwreset then drains for SHUTDOWN_GRACE
	// and stores what it cancelled.
	grace := cfg.HTTP.ShutdownGrace + outcomesAfterGrace
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		grace += time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	}
	if p := d.Spec.Template.Spec.TerminationGracePeriodSeconds; p == nil || time.Duration(*p)*time.Second <= grace {
		t.Errorf("terminationGracePeriodSeconds: want more than %v (preStop + SHUTDOWN_GRACE + storing cancelled sends)", grace)
	}
}

// envValue returns the literal value of a container's variable, or "".
func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func TestKubernetesServicesAndBudget(t *testing.T) {
	m := loadManifests(t)
	d := m.deployments[0]
	c, _ := container(t, d)
	pods := labels.Set(d.Spec.Template.Labels)
	if sel := d.Spec.Selector; sel == nil || !labels.SelectorFromSet(sel.MatchLabels).Matches(pods) {
		t.Fatal("the Deployment's selector does not match its pods")
	}
	named := map[string]bool{}
	for _, p := range c.Ports {
		named[p.Name] = true
	}
	exposed := map[string]bool{}
	for _, s := range m.services {
		if len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(pods) {
			t.Errorf("Service %s selects no pwreset pod", s.Name)
		}
		var targets []string
		for _, p := range s.Spec.Ports {
			if !named[p.TargetPort.String()] {
				t.Errorf("Service %s: target port %s is no named port of the container", s.Name, p.TargetPort.String())
			}
			targets = append(targets, p.TargetPort.String())
		}
		if slices.Contains(targets, "metrics") && slices.Contains(targets, "http") {
			t.Errorf("Service %s exposes the API and the metrics together: keep /metrics apart", s.Name)
		}
		for _, target := range targets {
			exposed[target] = true
		}
	}
	if !exposed["http"] || !exposed["metrics"] {
		t.Errorf("want a Service for the API (http) and one for the metrics; exposed: %v", exposed)
	}

	b := m.budgets[0]
	if b.Spec.Selector == nil || !labels.SelectorFromSet(b.Spec.Selector.MatchLabels).Matches(pods) {
		t.Error("the PodDisruptionBudget selects no pwreset pod")
	}
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	if replicas < 2 {
		t.Errorf("%d replica: a budget cannot keep one serving through a drain", replicas)
	}
	switch {
	case b.Spec.MaxUnavailable != nil:
		if n, err := intstr.GetScaledValueFromIntOrPercent(b.Spec.MaxUnavailable, int(replicas), true); err != nil || n < 1 || n >= int(replicas) {
			t.Errorf("maxUnavailable %s of %d replicas: want at least one evictable and one serving (%v)", b.Spec.MaxUnavailable.String(), replicas, err)
		}
	case b.Spec.MinAvailable != nil:
		if n, err := intstr.GetScaledValueFromIntOrPercent(b.Spec.MinAvailable, int(replicas), true); err != nil || n < 1 || n >= int(replicas) {
			t.Errorf("minAvailable %s of %d replicas: want at least one serving and one evictable (%v)", b.Spec.MinAvailable.String(), replicas, err)
		}
	default:
		t.Error("the PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
	}
}
