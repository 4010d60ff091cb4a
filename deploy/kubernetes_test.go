package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// manifests is the Kubernetes example, every document of deploy/kubernetes decoded
// strictly into the API's own types: a misspelt or misplaced field, or a value of the
// wrong type, fails the decoding as it would fail `kubectl apply --validate=strict`.
type manifests struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	budgets     []*policyv1.PodDisruptionBudget
}

// documentSeparator splits a file into YAML documents.
var documentSeparator = regexp.MustCompile(`(?m)^---\s*$`)

func loadManifests(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifest in deploy/kubernetes (%v)", err)
	}
	var m manifests
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range documentSeparator.Split(string(text), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			var kind metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &kind); err != nil {
				t.Fatalf("%s, document %d: %v", file, i+1, err)
			}
			var obj any
			switch kind.APIVersion + " " + kind.Kind {
			case "apps/v1 Deployment":
				d := new(appsv1.Deployment)
				m.deployments, obj = append(m.deployments, d), d
			case "v1 Service":
				s := new(corev1.Service)
				m.services, obj = append(m.services, s), s
			case "policy/v1 PodDisruptionBudget":
				b := new(policyv1.PodDisruptionBudget)
				m.budgets, obj = append(m.budgets, b), b
			default:
				t.Fatalf("%s, document %d: %s %s is not checked here: add it to loadManifests", file, i+1, kind.APIVersion, kind.Kind)
			}
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Fatalf("%s, document %d (%s): %v", file, i+1, kind.Kind, err)
			}
		}
	}
	if len(m.deployments) != 1 || len(m.budgets) != 1 {
		t.Fatalf("want one Deployment and one PodDisruptionBudget, got %d and %d", len(m.deployments), len(m.budgets))
	}
	return m
}

func stripComments(doc string) string {
	var keep []string
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}
