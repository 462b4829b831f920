// Checks of helm/crnp-gateway as rendered by this renderer: the YAML parses, and the kinds,
// ports, probes, args, volumes and security settings are what the values ask for.
// Run by scripts/test-helm.sh (CRNP_CHART overrides the chart path).
package main

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func chartDir() string {
	if dir := os.Getenv("CRNP_CHART"); dir != "" {
		return dir
	}
	return "../../helm/crnp-gateway"
}

var testRelease = Release{Name: "demo", Namespace: "crnp", Service: "Helm", IsInstall: true, Revision: 1}

// object is one decoded manifest; at() walks it by map keys and list indexes.
type object map[string]interface{}

func (o object) at(path ...interface{}) interface{} {
	var node interface{} = map[string]interface{}(o)
	for _, step := range path {
		switch key := step.(type) {
		case string:
			m, ok := node.(map[string]interface{})
			if !ok {
				return nil
			}
			node = m[key]
		case int:
			l, ok := node.([]interface{})
			if !ok || key >= len(l) {
				return nil
			}
			node = l[key]
		}
	}
	return node
}

func render(t *testing.T, overrides ...Values) (map[string]object, Rendered) {
	t.Helper()
	rendered, err := Render(chartDir(), testRelease, overrides...)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	byKind := map[string]object{}
	for _, doc := range strings.Split(rendered.Manifests(), "\n---\n") {
		obj := object{}
		if err := yaml.UnmarshalStrict([]byte(strings.TrimPrefix(doc, "---\n")), &obj); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, doc)
		}
		kind, _ := obj["kind"].(string)
		if kind == "" || obj.at("metadata", "name") == nil {
			t.Fatalf("manifest without kind or name:\n%s", doc)
		}
		if _, dup := byKind[kind]; dup {
			t.Fatalf("two %s manifests", kind)
		}
		byKind[kind] = obj
	}
	return byKind, rendered
}

func parseValues(t *testing.T, text string) Values {
	t.Helper()
	values := Values{}
	if err := yaml.Unmarshal([]byte(text), &values); err != nil {
		t.Fatal(err)
	}
	return values
}

func kinds(objects map[string]object) []string {
	var out []string
	for _, kind := range []string{"Deployment", "StatefulSet", "Service", "PersistentVolumeClaim"} {
		if _, ok := objects[kind]; ok {
			out = append(out, kind)
		}
	}
	return out
}

func expectEqual(t *testing.T, what string, got, want interface{}) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

func stringList(v interface{}) []string {
	var out []string
	for _, item := range v.([]interface{}) {
		out = append(out, item.(string))
	}
	return out
}

// checkPod checks what every rendering must have, whatever the workload kind.
func checkPod(t *testing.T, workload object, grpcPort float64, dataDir string) object {
	t.Helper()
	pod := object(workload.at("spec", "template").(map[string]interface{}))
	expectEqual(t, "selector matches pod labels", workload.at("spec", "selector", "matchLabels"),
		map[string]interface{}{"app.kubernetes.io/name": "crnp-gateway", "app.kubernetes.io/instance": "demo"})
	for k, v := range workload.at("spec", "selector", "matchLabels").(map[string]interface{}) {
		expectEqual(t, "pod label "+k, pod.at("metadata", "labels", k), v)
	}
	container := object(pod.at("spec", "containers", 0).(map[string]interface{}))
	expectEqual(t, "image", container["image"], "crnp-gateway:0.1.0")
	expectEqual(t, "grpc containerPort", container.at("ports", 0), map[string]interface{}{
		"name": "grpc", "containerPort": grpcPort, "protocol": "TCP"})
	expectEqual(t, "callback containerPort", container.at("ports", 1, "name"), "crnp-callback")
	for _, probe := range []string{"livenessProbe", "readinessProbe"} {
		expectEqual(t, probe+" gRPC port", container.at(probe, "grpc", "port"), grpcPort)
		if container.at(probe, "httpGet") != nil || container.at(probe, "tcpSocket") != nil {
			t.Errorf("%s: more than one handler", probe)
		}
	}
	expectEqual(t, "readOnlyRootFilesystem", container.at("securityContext", "readOnlyRootFilesystem"), true)
	expectEqual(t, "allowPrivilegeEscalation", container.at("securityContext", "allowPrivilegeEscalation"), false)
	expectEqual(t, "runAsNonRoot", pod.at("spec", "securityContext", "runAsNonRoot"), true)
	expectEqual(t, "data mount", container.at("volumeMounts", 0),
		map[string]interface{}{"name": "data", "mountPath": dataDir})
	expectEqual(t, "tmp mount", container.at("volumeMounts", 1, "mountPath"), "/tmp")
	return pod
}

func checkService(t *testing.T, service object, port float64) {
	t.Helper()
	expectEqual(t, "service ports", service.at("spec", "ports"), []interface{}{map[string]interface{}{
		"name": "grpc", "port": port, "targetPort": "grpc", "protocol": "TCP",
		"appProtocol": "kubernetes.io/h2c"}})
	expectEqual(t, "service selector", service.at("spec", "selector"),
		map[string]interface{}{"app.kubernetes.io/name": "crnp-gateway", "app.kubernetes.io/instance": "demo"})
}

func TestDefaultValuesRenderADeploymentFollowingTheEmbeddedCluster(t *testing.T) {
	objects, rendered := render(t)
	expectEqual(t, "kinds", kinds(objects), []string{"Deployment", "Service"})
	deployment := objects["Deployment"]
	expectEqual(t, "name", deployment.at("metadata", "name"), "demo-crnp-gateway")
	expectEqual(t, "namespace", deployment.at("metadata", "namespace"), "crnp")
	pod := checkPod(t, deployment, 50051, "/var/lib/crnp-gateway")
	expectEqual(t, "args", stringList(pod.at("spec", "containers", 0, "args")), []string{
		"--grpc-listen=0.0.0.0:50051", "--callback-listen=0.0.0.0:9445",
		"--data-dir=/var/lib/crnp-gateway", "--log-level=info", "--embedded-cluster"})
	expectEqual(t, "data volume", pod.at("spec", "volumes", 0),
		map[string]interface{}{"name": "data", "emptyDir": map[string]interface{}{}})
	expectEqual(t, "hostNetwork", pod.at("spec", "hostNetwork"), nil)
	expectEqual(t, "liveness service", pod.at("spec", "containers", 0, "livenessProbe", "grpc", "service"), nil)
	checkService(t, objects["Service"], 50051)
	if notes := rendered.Notes(); !strings.Contains(notes, "grpcurl -plaintext localhost:50051 list") ||
		!strings.Contains(notes, "SIMULATED") {
		t.Errorf("NOTES.txt lacks the grpcurl examples or the simulation warning:\n%s", notes)
	}
}

func TestPersistenceAndHostNetworkRenderAStatefulSetOnTheNodeNetwork(t *testing.T) {
	objects, rendered := render(t, parseValues(t, `
embeddedCluster: false
crnpServers: ["{{ .Release.Name }}-sim:9444", "10.0.0.2:9444"]
hostNetwork: true
persistence: {enabled: true, size: 5Gi, storageClass: fast}
grpc: {port: 6000}
service: {port: 443}
dataDir: /data
extraArgs: {ring-events: 200000, embedded-event-rate: 0.5, max-stream-age: 15m}
probes: {readiness: {service: crnp.gateway.v1.CrnpGateway}}
`))
	expectEqual(t, "kinds", kinds(objects), []string{"StatefulSet", "Service"})
	statefulSet := objects["StatefulSet"]
	expectEqual(t, "serviceName", statefulSet.at("spec", "serviceName"), "demo-crnp-gateway")
	pod := checkPod(t, statefulSet, 6000, "/data")
	expectEqual(t, "args", stringList(pod.at("spec", "containers", 0, "args")), []string{
		"--grpc-listen=0.0.0.0:6000", "--callback-listen=0.0.0.0:9445", "--data-dir=/data",
		"--log-level=info", "--crnp-server=demo-sim:9444", "--crnp-server=10.0.0.2:9444",
		"--embedded-event-rate=0.5", "--max-stream-age=15m", "--ring-events=200000"})
	expectEqual(t, "hostNetwork", pod.at("spec", "hostNetwork"), true)
	expectEqual(t, "dnsPolicy", pod.at("spec", "dnsPolicy"), "ClusterFirstWithHostNet")
	expectEqual(t, "volumes (data comes from the claim)", pod.at("spec", "volumes"),
		[]interface{}{map[string]interface{}{"name": "tmp", "emptyDir": map[string]interface{}{}}})
	claim := object(statefulSet.at("spec", "volumeClaimTemplates", 0).(map[string]interface{}))
	expectEqual(t, "claim name", claim.at("metadata", "name"), "data")
	expectEqual(t, "claim size", claim.at("spec", "resources", "requests", "storage"), "5Gi")
	expectEqual(t, "claim class", claim.at("spec", "storageClassName"), "fast")
	expectEqual(t, "claim access", claim.at("spec", "accessModes"), []interface{}{"ReadWriteOnce"})
	expectEqual(t, "readiness service", pod.at("spec", "containers", 0, "readinessProbe", "grpc", "service"),
		"crnp.gateway.v1.CrnpGateway")
	checkService(t, objects["Service"], 443)
	if notes := rendered.Notes(); !strings.Contains(notes, "- demo-sim:9444") || strings.Contains(notes, "SIMULATED") {
		t.Errorf("NOTES.txt does not list the CRNP servers:\n%s", notes)
	}
}

func TestHostNetworkDeploymentNeverSurges(t *testing.T) {
	objects, _ := render(t, parseValues(t, "hostNetwork: true"))
	expectEqual(t, "maxSurge", objects["Deployment"].at("spec", "strategy", "rollingUpdate", "maxSurge"), 0.0)
}

func TestStorageClassDashMeansNoClass(t *testing.T) {
	objects, _ := render(t, parseValues(t, `persistence: {enabled: true, storageClass: "-"}`))
	claim := object(objects["StatefulSet"].at("spec", "volumeClaimTemplates", 0).(map[string]interface{}))
	expectEqual(t, "storageClassName", claim.at("spec", "storageClassName"), "")
}

func TestInvalidValuesAreRejectedWithAClearMessage(t *testing.T) {
	cases := map[string]string{
		"embeddedCluster: false":  "crnpServers: list at least one CRNP server",
		`image: {repository: ""}`: "image.repository is required",
	}
	for values, message := range cases {
		_, err := Render(chartDir(), testRelease, parseValues(t, values))
		if err == nil || !strings.Contains(err.Error(), message) {
			t.Errorf("%s: got error %v, want one containing %q", values, err, message)
		}
	}
}

// The renderer itself: Helm's merge rules and --set parsing.
func TestMergeAndSetFollowHelm(t *testing.T) {
	base := parseValues(t, "a: {b: 1, c: [1, 2]}\nd: x")
	override, err := ParseSet("a.b=true")
	if err != nil {
		t.Fatal(err)
	}
	merged := MergeValues(MergeValues(base, override), parseValues(t, "a: {c: [3]}\nd: null"))
	expectEqual(t, "merged", merged, parseValues(t, "a: {b: true, c: [3]}"))
	if _, err := ParseSet("novalue"); err == nil {
		t.Error("ParseSet accepted an assignment without '='")
	}
}
