// Validates Kubernetes manifests (a YAML stream on stdin, as scripts/render-helm.sh prints)
// against the API schemas shipped by the npm package kubernetes-models (generated from the
// Kubernetes OpenAPI: types, required fields, enums, formats) and, for the ServiceMonitor,
// @kubernetes-models/prometheus-operator (generated from the operator's CRD). Offline.
// Exits 1 naming the document and the schema errors; an unknown apiVersion/kind is an error.
// Unknown fields are NOT detected: the generated validators allow additional properties.
//   node validate.mjs [--pod-out DIR] < manifests.yaml
// --pod-out DIR also writes the gateway's config file (DIR/gateway.yaml, from the ConfigMap)
// and its container's arguments (DIR/args, one per line), for a --print-config check.
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as core from "kubernetes-models/v1";
import * as apps from "kubernetes-models/apps/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as networking from "kubernetes-models/networking.k8s.io/v1";
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const models = {
  v1: core,
  "apps/v1": apps,
  "policy/v1": policy,
  "networking.k8s.io/v1": networking,
  "monitoring.coreos.com/v1": monitoring,
};

const podOut = process.argv[2] === "--pod-out" ? process.argv[3] : null;
const text = readFileSync(0, "utf8");
let checked = 0;
const failures = [];
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length > 0) {
    failures.push(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    continue;
  }
  const manifest = doc.toJS();
  if (manifest === null || manifest === undefined) continue; // an empty document
  const name = `${manifest.kind}/${manifest.metadata?.name}`;
  const Model = models[manifest.apiVersion]?.[manifest.kind];
  if (!Model) {
    failures.push(`${name}: no schema for apiVersion ${manifest.apiVersion} kind ${manifest.kind}`);
    continue;
  }
  try {
    new Model(manifest).validate();
    checked++;
  } catch (error) {
    failures.push(`${name}: ${error.message}`);
    continue;
  }
  if (podOut && manifest.kind === "ConfigMap" && manifest.data?.["gateway.yaml"]) {
    writeFileSync(`${podOut}/gateway.yaml`, manifest.data["gateway.yaml"]);
  }
  const gateway = manifest.spec?.template?.spec?.containers?.find((c) => c.name === "gateway");
  if (podOut && gateway) {
    writeFileSync(`${podOut}/args`, gateway.args.join("\n") + "\n");
  }
}
for (const failure of failures) console.error(`invalid: ${failure}`);
if (failures.length > 0 || checked === 0) {
  console.error(`${checked} manifests valid, ${failures.length} invalid`);
  process.exit(1);
}
console.log(`${checked} manifests valid against the Kubernetes schemas`);
