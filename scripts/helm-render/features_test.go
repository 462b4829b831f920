// Checks of the chart's optional parts: callback network modes, TLS / token Secrets, metrics
// and ServiceMonitor, NetworkPolicy, spread defaults, the etcd store of replicated
// deployments, the helm test Pod, and values the schema or the templates refuse.
package main

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// configFile decodes the gateway config file held by the ConfigMap.
func configFile(t *testing.T, objects map[string]object) Values {
	t.Helper()
	text, ok := objects["ConfigMap"].at("data", "gateway.yaml").(string)
	if !ok {
		t.Fatal("no gateway.yaml in the ConfigMap")
	}
	config := Values{}
	if err := yaml.UnmarshalStrict([]byte(text), &config); err != nil {
		t.Fatalf("gateway.yaml does not parse: %v\n%s", err, text)
	}
	return config
}

func container(objects map[string]object, workload string) object {
	return object(objects[workload].at("spec", "template", "spec", "containers", 0).(map[string]interface{}))
}

func TestEachCallbackModeRendersItsNetworkAndRegistrationSource(t *testing.T) {
	cases := []struct {
		mode, sourceField    string
		hostNetwork, surging bool
		hostPort             interface{}
	}{
		{mode: "podIP", sourceField: "status.podIP", surging: true},
		{mode: "hostPort", hostPort: 9445.0},
		{mode: "hostNetwork", sourceField: "status.hostIP", hostNetwork: true},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			objects, rendered := render(t, parseValues(t, "callback: {mode: "+c.mode+"}"))
			pod := object(objects["Deployment"].at("spec", "template", "spec").(map[string]interface{}))
			gateway := container(objects, "Deployment")
			hostNetwork, _ := pod["hostNetwork"].(bool)
			expectEqual(t, "hostNetwork", hostNetwork, c.hostNetwork)
			expectEqual(t, "callback hostPort", gateway.at("ports", 1, "hostPort"), c.hostPort)
			expectEqual(t, "grpc has no hostPort", gateway.at("ports", 0, "hostPort"), nil)
			args := stringList(gateway["args"])
			if c.sourceField == "" {
				expectEqual(t, "args", args, []string{"--config=/etc/crnp-gateway/config/gateway.yaml"})
				expectEqual(t, "env", gateway["env"], nil)
			} else {
				expectEqual(t, "args", args, []string{"--config=/etc/crnp-gateway/config/gateway.yaml",
					"--registration-source=$(CRNP_REGISTRATION_SOURCE)"})
				expectEqual(t, "env", gateway.at("env", 0), map[string]interface{}{
					"name":      "CRNP_REGISTRATION_SOURCE",
					"valueFrom": map[string]interface{}{"fieldRef": map[string]interface{}{"fieldPath": c.sourceField}}})
			}
			surge := objects["Deployment"].at("spec", "strategy", "rollingUpdate", "maxSurge")
			expectEqual(t, "surges", surge == nil, c.surging)
			if !strings.Contains(rendered.Notes(), "") {
				t.Fatal("no notes")
			}
		})
	}
}

func TestExplicitRegistrationSourceGoesToTheConfigFile(t *testing.T) {
	objects, _ := render(t, parseValues(t, "registrationSource: 10.2.0.7"))
	expectEqual(t, "registration-source", configFile(t, objects)["registration-source"], "10.2.0.7")
	expectEqual(t, "args", stringList(container(objects, "Deployment")["args"]),
		[]string{"--config=/etc/crnp-gateway/config/gateway.yaml"})
}

const everyFeature = `
replicaCount: 3
store: etcd
etcd:
  endpoints: ["etcd:2379"]
  tls: {existingSecret: etcd-ca, clientCertificate: false}
  auth: {username: gw, existingSecret: etcd-password}
embeddedCluster: false
crnpServers: ["cl-node-1:9444", "cl-node-2:9444"]
callback: {allow: "10.1.0.0/24, 10.1.1.0/24"}
logFormat: json
config: {ring-events: 200000, max-stream-age: 15m, log-level: debug}
metrics: {serviceMonitor: {enabled: true, labels: {release: prom}}}
tls:
  enabled: true
  cert: "CERT"
  key: "KEY"
  ca: "CA"
  serverName: gw.example
  clientCA: {enabled: true, cert: "CLIENTCA"}
auth: {enabled: true, tokens: "0123456789abcdef0123 ops write", reflection: true}
networkPolicy:
  enabled: true
  grpcFrom: [{namespaceSelector: {matchLabels: {team: ops}}}]
  monitoringNamespace: prom
`

func TestEveryFeatureOn(t *testing.T) {
	objects, rendered := render(t, parseValues(t, everyFeature))
	expectEqual(t, "kinds", kinds(objects), []string{"Deployment", "Service", "ConfigMap",
		"PodDisruptionBudget", "ServiceMonitor", "NetworkPolicy", "Pod"})
	config := configFile(t, objects)
	for key, want := range map[string]interface{}{
		"tls-cert": "/etc/crnp-gateway/tls/tls.crt", "tls-key": "/etc/crnp-gateway/tls/tls.key",
		"tls-client-ca": "/etc/crnp-gateway/client-ca/ca.crt", "auth-tokens": "/etc/crnp-gateway/auth/tokens",
		"auth-reflection": "true", "ring-events": "200000", "max-stream-age": "15m",
		"log-level": "debug", "log-format": "json", "callback-allow": "10.1.0.0/24, 10.1.1.0/24",
		"crnp-server": []interface{}{"cl-node-1:9444", "cl-node-2:9444"},
		"store":       "etcd", "etcd-endpoints": "etcd:2379", "etcd-ca": "/etc/crnp-gateway/etcd-tls/ca.crt",
		"etcd-cert": nil, "etcd-key": nil, "etcd-username": "gw",
		"etcd-password-file": "/etc/crnp-gateway/etcd-auth/password",
	} {
		expectEqual(t, "config "+key, config[key], want)
	}
	secrets := map[string]map[string]interface{}{
		"Secret/demo-crnp-gateway-tls":       {"tls.crt": "Q0VSVA==", "tls.key": "S0VZ", "ca.crt": "Q0E="},
		"Secret/demo-crnp-gateway-client-ca": {"ca.crt": "Q0xJRU5UQ0E="},
		"Secret/demo-crnp-gateway-auth":      {"tokens": "MDEyMzQ1Njc4OWFiY2RlZjAxMjMgb3BzIHdyaXRl"},
	}
	for key, data := range secrets {
		if objects[key] == nil {
			t.Fatalf("no %s", key)
		}
		expectEqual(t, key, objects[key].at("data"), map[string]interface{}(data))
	}
	gateway := container(objects, "Deployment")
	expectEqual(t, "readiness over TLS", gateway.at("readinessProbe", "exec", "command"), []interface{}{
		"crnp-gateway-probe", "--address=127.0.0.1:50051", "--service=crnp.gateway.v1.CrnpGateway",
		"--timeout=2", "--tls-ca=/etc/crnp-gateway/tls/ca.crt", "--tls-server-name=gw.example"})
	mounts := map[string]string{}
	for _, m := range gateway["volumeMounts"].([]interface{}) {
		mounts[m.(map[string]interface{})["name"].(string)] = m.(map[string]interface{})["mountPath"].(string)
	}
	expectEqual(t, "tls mount", mounts["tls"], "/etc/crnp-gateway/tls")
	expectEqual(t, "client-ca mount", mounts["client-ca"], "/etc/crnp-gateway/client-ca")
	expectEqual(t, "auth mount", mounts["auth"], "/etc/crnp-gateway/auth")
	expectEqual(t, "etcd-tls mount", mounts["etcd-tls"], "/etc/crnp-gateway/etcd-tls")
	expectEqual(t, "etcd-auth mount", mounts["etcd-auth"], "/etc/crnp-gateway/etcd-auth")
	expectEqual(t, "service appProtocol", objects["Service"].at("spec", "ports", 0, "appProtocol"), "https")

	monitor := objects["ServiceMonitor"]
	expectEqual(t, "ServiceMonitor apiVersion", monitor["apiVersion"], "monitoring.coreos.com/v1")
	expectEqual(t, "ServiceMonitor label", monitor.at("metadata", "labels", "release"), "prom")
	expectEqual(t, "ServiceMonitor endpoint", monitor.at("spec", "endpoints", 0, "port"), "metrics")

	ingress := objects["NetworkPolicy"].at("spec", "ingress").([]interface{})
	if len(ingress) != 3 {
		t.Fatalf("NetworkPolicy: %d ingress rules, want 3 (grpc, callback, metrics)", len(ingress))
	}
	rule := func(i int) object { return object(ingress[i].(map[string]interface{})) }
	expectEqual(t, "grpc rule port", rule(0).at("ports", 0, "port"), "grpc")
	expectEqual(t, "grpc from helm test", rule(0).at("from", 0, "podSelector", "matchLabels", "app.kubernetes.io/component"), "helm-test")
	expectEqual(t, "grpc from clients", rule(0).at("from", 1, "namespaceSelector", "matchLabels", "team"), "ops")
	expectEqual(t, "callback rule port", rule(1).at("ports", 0, "port"), "crnp-callback")
	expectEqual(t, "callback CIDRs", rule(1).at("from"), []interface{}{
		map[string]interface{}{"ipBlock": map[string]interface{}{"cidr": "10.1.0.0/24"}},
		map[string]interface{}{"ipBlock": map[string]interface{}{"cidr": "10.1.1.0/24"}}})
	expectEqual(t, "metrics from monitoring", rule(2).at("from", 0, "namespaceSelector", "matchLabels",
		"kubernetes.io/metadata.name"), "prom")

	pod := objects["Deployment"].at("spec", "template", "spec").(map[string]interface{})
	spread := object(pod).at("topologySpreadConstraints")
	if spread == nil || len(spread.([]interface{})) != 2 {
		t.Errorf("3 replicas: want hostname and zone spread constraints, got %v", spread)
	}
	expectEqual(t, "anti-affinity key", object(pod).at("affinity", "podAntiAffinity",
		"preferredDuringSchedulingIgnoredDuringExecution", 0, "podAffinityTerm", "topologyKey"), "kubernetes.io/hostname")

	test := objects["Pod"]
	expectEqual(t, "helm test hook", test.at("metadata", "annotations", "helm.sh/hook"), "test")
	expectEqual(t, "helm test command", test.at("spec", "containers", 0, "command"), []interface{}{
		"crnp-gateway-probe", "--address=demo-crnp-gateway:50051", "--service=crnp.gateway.v1.CrnpGateway",
		"--timeout=10", "--tls-ca=/etc/crnp-gateway/tls/ca.crt", "--tls-server-name=gw.example"})

	notes := rendered.Notes()
	for _, want := range []string{
		"grpcurl -cacert ca.crt -servername gw.example -H \"authorization: Bearer $TOKEN\" localhost:50051 list",
		"-cert client.crt -key client.key", "Callback mode podIP",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("NOTES.txt lacks %q:\n%s", want, notes)
		}
	}
}

func TestExistingSecretsAreReferencedNotCreated(t *testing.T) {
	objects, _ := render(t, parseValues(t, `
tls: {enabled: true, existingSecret: my-tls, clientCA: {enabled: true, existingSecret: my-ca}}
auth: {enabled: true, existingSecret: my-tokens}
`))
	for key := range objects {
		if strings.HasPrefix(key, "Secret/") {
			t.Errorf("rendered %s although every Secret exists", key)
		}
	}
	volumes := map[string]string{}
	for _, v := range objects["Deployment"].at("spec", "template", "spec", "volumes").([]interface{}) {
		if secret, ok := v.(map[string]interface{})["secret"]; ok {
			volumes[v.(map[string]interface{})["name"].(string)] = secret.(map[string]interface{})["secretName"].(string)
		}
	}
	expectEqual(t, "secret volumes", volumes, map[string]string{"tls": "my-tls", "client-ca": "my-ca", "auth": "my-tokens"})
}

func TestSchemaAndTemplatesRejectBadValuesWithTheirMessage(t *testing.T) {
	cases := map[string]string{
		"callback: {mode: nat}":                   `callback.mode: callback.mode must be one of the following: "podIP", "hostPort", "hostNetwork"`,
		"grpc: {port: 70000}":                     "grpc.port: Must be less than or equal to 65535",
		`grpc: {port: "50051"}`:                   "grpc.port: Invalid type. Expected: integer, given: string",
		"replicaCount: -1":                        "replicaCount: Must be greater than or equal to 0",
		"logLevel: verbose":                       "logLevel: logLevel must be one of the following",
		"crnpServers: [cl-node-1]":                "crnpServers.0: Does not match pattern",
		"tls: {enabled: yes-please}":              "tls.enabled: Invalid type. Expected: boolean, given: string",
		"networkPolicy: {callbackCIDRs: [node1]}": "networkPolicy.callbackCIDRs.0: Does not match pattern",
		"metrics: {prot: 9090}":                   "metrics: Additional property prot is not allowed",
		"replicas: 2":                             "(root): Additional property replicas is not allowed",
		"image: {repository: \"\"}":               "image.repository: String length must be greater than or equal to 1",
		"embeddedCluster: false":                  "crnpServers: list at least one CRNP server",
		"tls: {enabled: true}":                    "tls: set tls.existingSecret",
		"tls: {clientCA: {enabled: true}}":        "tls.clientCA.enabled needs tls.enabled",
		"auth: {enabled: true}":                   "auth: set auth.existingSecret (key tokens) or auth.tokens",
		"auth: {reflection: true}":                "auth.reflection needs auth.enabled and tls.enabled",
		"{embeddedCluster: false, crnpServers: [\"a:9444\"], networkPolicy: {enabled: true}}": "networkPolicy: list the Solaris Cluster's addresses",
		// Replicas share nothing but etcd: more than one on SQLite is refused.
		"replicaCount: 3":                            `store: store must be one of the following: "etcd"`,
		"{replicaCount: 2, store: sqlite}":           `store: store must be one of the following: "etcd"`,
		"store: redis":                               `store: store must be one of the following: "sqlite", "etcd"`,
		"store: etcd":                                "etcd.endpoints: Array must have at least 1 items",
		"{store: etcd, etcd: {endpoints: [etcd-0]}}": "etcd.endpoints.0: Does not match pattern",
		"{store: etcd, etcd: {endpoints: [\"e:2379\"], prefix: /p/}}": "etcd.prefix: Does not match pattern",
		"leaderLeaseTtl: 1s":     "leaderLeaseTtl: Does not match pattern",
		"leaderLeaseTtl: 2500ms": "leaderLeaseTtl: Does not match pattern",
		"{store: etcd, etcd: {endpoints: [\"e:2379\"]}, persistence: {enabled: true}}": "persistence: store etcd keeps the registrations",
		"etcd: {auth: {username: gw}}":           "etcd.auth: set both etcd.auth.username and etcd.auth.existingSecret",
		"etcd: {auth: {existingSecret: secret}}": "etcd.auth: set both etcd.auth.username and etcd.auth.existingSecret",
	}
	for values, message := range cases {
		_, err := Render(chartDir(), testRelease, parseValues(t, values))
		if err == nil || !strings.Contains(err.Error(), message) {
			t.Errorf("%s: got error %v, want one containing %q", values, err, message)
		}
	}
}

// Replicated: every replica reaches etcd with the mounted TLS files and password, names
// itself after its pod, and nothing it needs lives on a volume.
func TestEtcdStoreRendersReplicasSharingEtcd(t *testing.T) {
	objects, rendered := render(t, parseValues(t, `
replicaCount: 3
store: etcd
etcd:
  endpoints: ["{{ .Release.Name }}-etcd-0:2379", "10.0.0.5:2379"]
  prefix: /crnp/prod
  tls: {existingSecret: my-etcd-tls}
  auth: {username: crnp, existingSecret: my-etcd-password}
leaderLeaseTtl: 3s
callback: {mode: hostNetwork}
`))
	expectEqual(t, "kinds", kinds(objects), []string{"Deployment", "Service", "ConfigMap",
		"PodDisruptionBudget", "Pod"})
	deployment := objects["Deployment"]
	expectEqual(t, "replicas", deployment.at("spec", "replicas"), 3.0)
	pod := checkPod(t, deployment, 50051, "/var/lib/crnp-gateway")
	config := configFile(t, objects)
	for key, want := range map[string]interface{}{
		"store": "etcd", "etcd-endpoints": "demo-etcd-0:2379,10.0.0.5:2379", "etcd-prefix": "/crnp/prod",
		"etcd-ca": "/etc/crnp-gateway/etcd-tls/ca.crt", "etcd-cert": "/etc/crnp-gateway/etcd-tls/tls.crt",
		"etcd-key": "/etc/crnp-gateway/etcd-tls/tls.key", "etcd-username": "crnp",
		"etcd-password-file": "/etc/crnp-gateway/etcd-auth/password", "leader-lease-ttl": "3s",
	} {
		expectEqual(t, "config "+key, config[key], want)
	}
	gateway := container(objects, "Deployment")
	expectEqual(t, "args", stringList(gateway["args"]), []string{
		"--config=/etc/crnp-gateway/config/gateway.yaml",
		"--registration-source=$(CRNP_REGISTRATION_SOURCE)", "--replica-name=$(CRNP_REPLICA_NAME)"})
	// With hostNetwork the host name is the node's: the pod name keeps replicas apart.
	expectEqual(t, "replica name env", gateway.at("env", 1), map[string]interface{}{
		"name":      "CRNP_REPLICA_NAME",
		"valueFrom": map[string]interface{}{"fieldRef": map[string]interface{}{"fieldPath": "metadata.name"}}})
	mounts := map[string]interface{}{}
	for _, m := range gateway["volumeMounts"].([]interface{}) {
		mounts[m.(map[string]interface{})["name"].(string)] = m
	}
	expectEqual(t, "etcd-tls mount", mounts["etcd-tls"], map[string]interface{}{
		"name": "etcd-tls", "mountPath": "/etc/crnp-gateway/etcd-tls", "readOnly": true})
	expectEqual(t, "etcd-auth mount", mounts["etcd-auth"], map[string]interface{}{
		"name": "etcd-auth", "mountPath": "/etc/crnp-gateway/etcd-auth", "readOnly": true})
	volumes := map[string]interface{}{}
	for _, v := range pod.at("spec", "volumes").([]interface{}) {
		volumes[v.(map[string]interface{})["name"].(string)] = v.(map[string]interface{})
	}
	item := func(key string) interface{} { return map[string]interface{}{"key": key, "path": key} }
	expectEqual(t, "etcd-tls volume", object(volumes["etcd-tls"].(map[string]interface{})).at("secret"),
		map[string]interface{}{"secretName": "my-etcd-tls", "defaultMode": 288.0,
			"items": []interface{}{item("ca.crt"), item("tls.crt"), item("tls.key")}})
	expectEqual(t, "etcd-auth volume", object(volumes["etcd-auth"].(map[string]interface{})).at("secret"),
		map[string]interface{}{"secretName": "my-etcd-password", "defaultMode": 288.0,
			"items": []interface{}{item("password")}})
	expectEqual(t, "data volume", volumes["data"], map[string]interface{}{"name": "data", "emptyDir": map[string]interface{}{}})
	for key := range objects {
		if strings.HasPrefix(key, "Secret/") {
			t.Errorf("rendered %s although the etcd Secrets exist", key)
		}
	}
	expectEqual(t, "anti-affinity", object(pod).at("spec", "affinity", "podAntiAffinity",
		"preferredDuringSchedulingIgnoredDuringExecution", 0, "podAffinityTerm", "topologyKey"), "kubernetes.io/hostname")
	expectEqual(t, "PDB", objects["PodDisruptionBudget"].at("spec", "maxUnavailable"), 1.0)
	// Node ports (hostNetwork) are held until the old pod is gone: replace, never surge.
	expectEqual(t, "maxSurge", deployment.at("spec", "strategy", "rollingUpdate", "maxSurge"), 0.0)
	if notes := rendered.Notes(); !strings.Contains(notes, "Allow_hosts must admit every replica's address") {
		t.Errorf("NOTES.txt does not explain the etcd store:\n%s", notes)
	}
}

// Without TLS or a user nothing is mounted for etcd, and one replica on etcd is allowed.
func TestEtcdStoreWithoutTLSOrUserMountsNothing(t *testing.T) {
	objects, _ := render(t, parseValues(t, `{store: etcd, etcd: {endpoints: ["etcd:2379"]}}`))
	config := configFile(t, objects)
	for _, key := range []string{"etcd-ca", "etcd-cert", "etcd-key", "etcd-username", "etcd-password-file"} {
		expectEqual(t, "config "+key, config[key], nil)
	}
	expectEqual(t, "leader-lease-ttl", config["leader-lease-ttl"], "5s")
	expectEqual(t, "etcd-prefix", config["etcd-prefix"], "/crnp-gateway")
	for _, v := range objects["Deployment"].at("spec", "template", "spec", "volumes").([]interface{}) {
		if name := v.(map[string]interface{})["name"].(string); strings.HasPrefix(name, "etcd") {
			t.Errorf("volume %s without etcd TLS or user", name)
		}
	}
}
