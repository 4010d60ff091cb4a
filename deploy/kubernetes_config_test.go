package deploy_test

import (
	"encoding/base64"
	"net"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pwreset/pwreset/app"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// secretStandIns replace the Secret's values, which the example does not hold, with
// values of the right form, so that pwreset's own parser checks the configuration.
var secretStandIns = map[string]string{
	"SECRET_KEY":       base64.StdEncoding.EncodeToString(make([]byte, 48)),
	"MONGODB_URI":      "mongodb://db1,db2,db3/?replicaSet=rs0",
	"DATABASE_URL":     "postgres://pwreset@db:5432/app",
	"SENDGRID_API_KEY": "SG.stand-in",
	"SMTP_URL":         "smtp://relay:587",
}

// container returns the Deployment's pwreset container and its configuration as
// pwreset's own parser reads it: the example must start outside demo mode.
func container(t *testing.T, d *appsv1.Deployment) (corev1.Container, app.Config) {
	t.Helper()
	if n := len(d.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("the Deployment has %d containers, want 1", n)
	}
	c := d.Spec.Template.Spec.Containers[0]
	var environ []string
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			v, ok := secretStandIns[e.Name]
			if !ok {
				t.Fatalf("env %s comes from a Secret but the test has no stand-in for it: add one to secretStandIns", e.Name)
			}
			environ = append(environ, e.Name+"="+v)
		case e.ValueFrom != nil:
			t.Fatalf("env %s: only values and Secret references are checked here", e.Name)
		default:
			environ = append(environ, e.Name+"="+e.Value)
		}
	}
	cfg, err := app.Load(environ)
	if err != nil {
		t.Fatalf("pwreset refuses the example's configuration:\n%v", err)
	}
	if cfg.Demo() {
		t.Fatal("the example runs in demo mode: set MONGODB_URI or DATABASE_URL from the Secret")
	}
	return c, cfg
}

func TestKubernetesEnvironment(t *testing.T) {
	m := loadManifests(t)
	c, _ := container(t, m.deployments[0])
	documented := documentedVariables(t)
	for _, e := range c.Env {
		if !documented[e.Name] && e.Name != "GOMEMLIMIT" { // GOMEMLIMIT: Go's runtime reads it
			t.Errorf("env %s is not a variable of docs/configuration.md: a typo?", e.Name)
		}
		if _, secret := secretStandIns[e.Name]; secret && e.Name != "SMTP_URL" && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
			t.Errorf("env %s holds a secret: take it from a Secret (secretKeyRef), not a literal value", e.Name)
		}
	}
}

// documentedVariables returns the variables docs/configuration.md lists in its tables.
func documentedVariables(t *testing.T) map[string]bool {
	t.Helper()
	text, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z0-9_]+)`").FindAllStringSubmatch(string(text), -1) {
		vars[m[1]] = true
	}
	return vars
}

func TestKubernetesPortsAndProbes(t *testing.T) {
	m := loadManifests(t)
	c, cfg := container(t, m.deployments[0])
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if cfg.Ops.MetricsAddr == "" {
		t.Error("METRICS_ADDR is not set: nothing would serve /metrics")
	}
	if cfg.Ops.MetricsOnAPIAddr {
		t.Error("METRICS_ON_API_ADDR=true: the link counts would tell the API's clients which logins exist")
	}
	for name, addr := range map[string]string{"http": cfg.HTTP.Addr, "metrics": cfg.Ops.MetricsAddr} {
		if want := portOf(t, addr); ports[name] != want {
			t.Errorf("container port %q is %d; pwreset listens on %s", name, ports[name], addr)
		}
	}
	for _, probe := range []struct {
		kind  string
		probe *corev1.Probe
		path  string
	}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}} {
		if probe.probe == nil || probe.probe.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", probe.kind)
			continue
		}
		get := probe.probe.HTTPGet
		if get.Path != probe.path || get.Port != intstr.FromString("http") {
			t.Errorf("%s probe: GET %s on port %s, want %s on http", probe.kind, get.Path, get.Port.String(), probe.path)
		}
	}
	// /readyz answers 503 once MONGODB_TIMEOUT (or DATABASE_TIMEOUT) has passed; a
	// shorter probe timeout would report a timeout instead of pwreset's answer.
	timeout := max(cfg.Store.MongoDBTimeout, cfg.Store.Postgres.Timeout)
	if c.ReadinessProbe == nil {
		return
	}
	if got := time.Duration(c.ReadinessProbe.TimeoutSeconds) * time.Second; got <= timeout {
		t.Errorf("readiness probe timeout %v: want more than the database timeout %v", got, timeout)
	}
}

// portOf returns the port of a listen address such as ":8080".
func portOf(t *testing.T, addr string) int32 {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("listen address %q: %v", addr, err)
	}
	n, err := strconv.ParseInt(port, 10, 32)
	if err != nil {
		t.Fatalf("listen address %q: %v", addr, err)
	}
	return int32(n)
}
