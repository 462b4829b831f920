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
		if onlyComments(doc) { // a template that starts its own documents with "---"
			continue
		}
		obj := object{}
		if err := yaml.UnmarshalStrict([]byte(strings.TrimPrefix(doc, "---\n")), &obj); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, doc)
		}
		kind, _ := obj["kind"].(string)
		if kind == "" || obj.at("metadata", "name") == nil {
			t.Fatalf("manifest without kind or name:\n%s", doc)
		}
		key := kind
		if kind == "Secret" { // the chart renders up to three
			key = "Secret/" + obj.at("metadata", "name").(string)
		}
		if _, dup := byKind[key]; dup {
			t.Fatalf("two %s manifests", key)
		}
		byKind[key] = obj
	}
	return byKind, rendered
}

func onlyComments(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && line != "---" && !strings.HasPrefix(line, "#") {
			return false
		}
	}
	return true
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
	for _, kind := range []string{"Deployment", "StatefulSet", "Service", "PersistentVolumeClaim",
		"ConfigMap", "PodDisruptionBudget", "ServiceMonitor", "NetworkPolicy", "Pod"} {
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
	// Liveness must not follow the upstream's health (a cluster outage must not restart the
	// pod): a TCP connect only. Readiness is the gateway service's health.
	expectEqual(t, "livenessProbe", container.at("livenessProbe", "tcpSocket"), map[string]interface{}{"port": "grpc"})
	if container.at("livenessProbe", "grpc") != nil || container.at("livenessProbe", "exec") != nil {
		t.Errorf("livenessProbe: more than one handler")
	}
	expectEqual(t, "readOnlyRootFilesystem", container.at("securityContext", "readOnlyRootFilesystem"), true)
	expectEqual(t, "allowPrivilegeEscalation", container.at("securityContext", "allowPrivilegeEscalation"), false)
	expectEqual(t, "runAsNonRoot", pod.at("spec", "securityContext", "runAsNonRoot"), true)
	expectEqual(t, "data mount", container.at("volumeMounts", 0),
		map[string]interface{}{"name": "data", "mountPath": dataDir})
	expectEqual(t, "tmp mount", container.at("volumeMounts", 1, "mountPath"), "/tmp")
	expectEqual(t, "config mount", container.at("volumeMounts", 2),
		map[string]interface{}{"name": "config", "mountPath": "/etc/crnp-gateway/config", "readOnly": true})
	return pod
}

func checkService(t *testing.T, service object, port float64) {
	t.Helper()
	expectEqual(t, "service grpc port", service.at("spec", "ports", 0), map[string]interface{}{
		"name": "grpc", "port": port, "targetPort": "grpc", "protocol": "TCP",
		"appProtocol": "kubernetes.io/h2c"})
	expectEqual(t, "service metrics port", service.at("spec", "ports", 1), map[string]interface{}{
		"name": "metrics", "port": 9090.0, "targetPort": "metrics", "protocol": "TCP",
		"appProtocol": "http"})
	expectEqual(t, "service selector", service.at("spec", "selector"),
		map[string]interface{}{"app.kubernetes.io/name": "crnp-gateway", "app.kubernetes.io/instance": "demo"})
}

func TestDefaultValuesRenderADeploymentFollowingTheEmbeddedCluster(t *testing.T) {
	objects, rendered := render(t)
	expectEqual(t, "kinds", kinds(objects), []string{"Deployment", "Service", "ConfigMap",
		"PodDisruptionBudget", "Pod"})
	deployment := objects["Deployment"]
	expectEqual(t, "name", deployment.at("metadata", "name"), "demo-crnp-gateway")
	expectEqual(t, "namespace", deployment.at("metadata", "namespace"), "crnp")
	pod := checkPod(t, deployment, 50051, "/var/lib/crnp-gateway")
	expectEqual(t, "args", stringList(pod.at("spec", "containers", 0, "args")), []string{
		"--config=/etc/crnp-gateway/config/gateway.yaml",
		"--registration-source=$(CRNP_REGISTRATION_SOURCE)"})
	expectEqual(t, "config file", configFile(t, objects), Values{
		"grpc-listen": "0.0.0.0:50051", "callback-listen": "0.0.0.0:9445",
		"data-dir": "/var/lib/crnp-gateway", "log-level": "info", "log-format": "text",
		"embedded-cluster": "true", "metrics-listen": ":9090"})
	expectEqual(t, "readiness", pod.at("spec", "containers", 0, "readinessProbe", "grpc"),
		map[string]interface{}{"port": 50051.0, "service": "crnp.gateway.v1.CrnpGateway"})
	expectEqual(t, "metrics containerPort", pod.at("spec", "containers", 0, "ports", 2),
		map[string]interface{}{"name": "metrics", "containerPort": 9090.0, "protocol": "TCP"})
	expectEqual(t, "scrape annotation", pod.at("metadata", "annotations", "prometheus.io/scrape"), "true")
	expectEqual(t, "scrape port", pod.at("metadata", "annotations", "prometheus.io/port"), "9090")
	expectEqual(t, "one replica: no spread", pod.at("spec", "topologySpreadConstraints"), nil)
	expectEqual(t, "PDB", objects["PodDisruptionBudget"].at("spec", "maxUnavailable"), 1.0)
	expectEqual(t, "data volume", pod.at("spec", "volumes", 0),
		map[string]interface{}{"name": "data", "emptyDir": map[string]interface{}{}})
	expectEqual(t, "hostNetwork", pod.at("spec", "hostNetwork"), nil)
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
callback: {mode: hostNetwork}
persistence: {enabled: true, size: 5Gi, storageClass: fast}
grpc: {port: 6000}
service: {port: 443}
dataDir: /data
extraArgs: {ring-events: 200000, embedded-event-rate: 0.5, max-stream-age: 15m}
probes: {readiness: {service: crnp.gateway.v1.CrnpGateway}}
`))
	expectEqual(t, "kinds", kinds(objects), []string{"StatefulSet", "Service", "ConfigMap",
		"PodDisruptionBudget", "Pod"})
	statefulSet := objects["StatefulSet"]
	expectEqual(t, "serviceName", statefulSet.at("spec", "serviceName"), "demo-crnp-gateway")
	pod := checkPod(t, statefulSet, 6000, "/data")
	expectEqual(t, "args", stringList(pod.at("spec", "containers", 0, "args")), []string{
		"--config=/etc/crnp-gateway/config/gateway.yaml",
		"--registration-source=$(CRNP_REGISTRATION_SOURCE)",
		"--embedded-event-rate=0.5", "--max-stream-age=15m", "--ring-events=200000"})
	config := configFile(t, objects)
	expectEqual(t, "crnp-server", config["crnp-server"], []interface{}{"demo-sim:9444", "10.0.0.2:9444"})
	expectEqual(t, "grpc-listen", config["grpc-listen"], "0.0.0.0:6000")
	expectEqual(t, "data-dir", config["data-dir"], "/data")
	expectEqual(t, "no embedded cluster", config["embedded-cluster"], nil)
	expectEqual(t, "hostNetwork", pod.at("spec", "hostNetwork"), true)
	expectEqual(t, "dnsPolicy", pod.at("spec", "dnsPolicy"), "ClusterFirstWithHostNet")
	expectEqual(t, "volumes (data comes from the claim)", pod.at("spec", "volumes", 0),
		map[string]interface{}{"name": "tmp", "emptyDir": map[string]interface{}{}})
	claim := object(statefulSet.at("spec", "volumeClaimTemplates", 0).(map[string]interface{}))
	expectEqual(t, "claim name", claim.at("metadata", "name"), "data")
	expectEqual(t, "claim size", claim.at("spec", "resources", "requests", "storage"), "5Gi")
	expectEqual(t, "claim class", claim.at("spec", "storageClassName"), "fast")
	expectEqual(t, "claim access", claim.at("spec", "accessModes"), []interface{}{"ReadWriteOnce"})
	expectEqual(t, "readiness service", pod.at("spec", "containers", 0, "readinessProbe", "grpc", "service"),
		"crnp.gateway.v1.CrnpGateway")
	expectEqual(t, "registration source", pod.at("spec", "containers", 0, "env", 0, "valueFrom", "fieldRef", "fieldPath"),
		"status.hostIP")
	checkService(t, objects["Service"], 443)
	if notes := rendered.Notes(); !strings.Contains(notes, "- demo-sim:9444") || strings.Contains(notes, "SIMULATED") {
		t.Errorf("NOTES.txt does not list the CRNP servers:\n%s", notes)
	}
}

func TestHostNetworkDeploymentNeverSurges(t *testing.T) {
	objects, _ := render(t, parseValues(t, "callback: {mode: hostNetwork}"))
	expectEqual(t, "maxSurge", objects["Deployment"].at("spec", "strategy", "rollingUpdate", "maxSurge"), 0.0)
}

func TestStorageClassDashMeansNoClass(t *testing.T) {
	objects, _ := render(t, parseValues(t, `persistence: {enabled: true, storageClass: "-"}`))
	claim := object(objects["StatefulSet"].at("spec", "volumeClaimTemplates", 0).(map[string]interface{}))
	expectEqual(t, "storageClassName", claim.at("spec", "storageClassName"), "")
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
