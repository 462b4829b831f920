{{/* Name of the chart, overridable. */}}
{{- define "crnp-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release-chart, unless the release name already has the chart's. */}}
{{- define "crnp-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "crnp-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crnp-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "crnp-gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "crnp-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* A flag value: YAML numbers arrive as floats; whole ones must not print as 2e+05. */}}
{{- define "crnp-gateway.flagValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) }}{{ int64 . }}{{ else }}{{ . }}{{ end }}
{{- end }}

{{/* Where the chart mounts its files in the pod. */}}
{{- define "crnp-gateway.configPath" -}}/etc/crnp-gateway/config/gateway.yaml{{- end }}
{{- define "crnp-gateway.tlsDir" -}}/etc/crnp-gateway/tls{{- end }}
{{- define "crnp-gateway.clientCADir" -}}/etc/crnp-gateway/client-ca{{- end }}
{{- define "crnp-gateway.authDir" -}}/etc/crnp-gateway/auth{{- end }}
{{- define "crnp-gateway.etcdTLSDir" -}}/etc/crnp-gateway/etcd-tls{{- end }}
{{- define "crnp-gateway.etcdAuthDir" -}}/etc/crnp-gateway/etcd-auth{{- end }}

{{/* Whether the replicas share etcd (store: etcd). */}}
{{- define "crnp-gateway.etcdStore" -}}
{{- if eq .Values.store "etcd" }}true{{ end }}
{{- end }}

{{/* Secret names: the existing one, or the one the chart creates. */}}
{{- define "crnp-gateway.tlsSecret" -}}
{{- .Values.tls.existingSecret | default (printf "%s-tls" (include "crnp-gateway.fullname" .)) }}
{{- end }}
{{- define "crnp-gateway.clientCASecret" -}}
{{- .Values.tls.clientCA.existingSecret | default (printf "%s-client-ca" (include "crnp-gateway.fullname" .)) }}
{{- end }}
{{- define "crnp-gateway.authSecret" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" (include "crnp-gateway.fullname" .)) }}
{{- end }}

{{/* Name the probes verify in the server certificate. */}}
{{- define "crnp-gateway.tlsServerName" -}}
{{- .Values.tls.serverName | default (include "crnp-gateway.fullname" .) }}
{{- end }}

{{/* Combinations the schema cannot word clearly; fails the render with the reason. */}}
{{- define "crnp-gateway.validate" -}}
{{- if and (not .Values.embeddedCluster) (not .Values.crnpServers) }}
{{- fail "crnpServers: list at least one CRNP server (host:port), or set embeddedCluster: true" }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.existingSecret) }}
{{- if not (and .Values.tls.cert .Values.tls.key .Values.tls.ca) }}
{{- fail "tls: set tls.existingSecret (a kubernetes.io/tls Secret with ca.crt), or all of tls.cert, tls.key and tls.ca" }}
{{- end }}
{{- end }}
{{- if and .Values.tls.clientCA.enabled (not .Values.tls.enabled) }}
{{- fail "tls.clientCA.enabled needs tls.enabled" }}
{{- end }}
{{- if and .Values.tls.clientCA.enabled (not .Values.tls.clientCA.existingSecret) (not .Values.tls.clientCA.cert) }}
{{- fail "tls.clientCA: set tls.clientCA.existingSecret (key ca.crt) or tls.clientCA.cert" }}
{{- end }}
{{- if and .Values.auth.enabled (not .Values.auth.existingSecret) (not .Values.auth.tokens) }}
{{- fail "auth: set auth.existingSecret (key tokens) or auth.tokens" }}
{{- end }}
{{- if and .Values.auth.reflection (not (and .Values.auth.enabled .Values.tls.enabled)) }}
{{- fail "auth.reflection needs auth.enabled and tls.enabled" }}
{{- end }}
{{- if and (include "crnp-gateway.etcdStore" .) .Values.persistence.enabled }}
{{- fail "persistence: store etcd keeps the registrations and the event log in etcd; set persistence.enabled false" }}
{{- end }}
{{- if ne (empty .Values.etcd.auth.username) (empty .Values.etcd.auth.existingSecret) }}
{{- fail "etcd.auth: set both etcd.auth.username and etcd.auth.existingSecret (key password), or neither" }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (not .Values.embeddedCluster) (not (include "crnp-gateway.callbackCIDRs" . | fromYaml).cidrs) }}
{{- fail "networkPolicy: list the Solaris Cluster's addresses in networkPolicy.callbackCIDRs (or callback.allow), or the callback port stays closed" }}
{{- end }}
{{- end }}

{{/* {cidrs: [...]}: networkPolicy.callbackCIDRs, else callback.allow split at commas. */}}
{{- define "crnp-gateway.callbackCIDRs" -}}
{{- $cidrs := .Values.networkPolicy.callbackCIDRs }}
{{- if not $cidrs }}
{{- $cidrs = list }}
{{- range splitList "," .Values.callback.allow }}
{{- if trim . }}{{ $cidrs = append $cidrs (trim .) }}{{ end }}
{{- end }}
{{- end }}
{{- toYaml (dict "cidrs" $cidrs) }}
{{- end }}

{{/* The gateway's config file (docs/configuration.md), from the values; `config` adds keys
     or overrides the chart's. Every value is quoted (the gateway reads "5" as 5). */}}
{{- define "crnp-gateway.configFile" -}}
{{- $c := dict
  "grpc-listen" (printf "0.0.0.0:%v" (include "crnp-gateway.flagValue" .Values.grpc.port))
  "callback-listen" (printf "0.0.0.0:%v" (include "crnp-gateway.flagValue" .Values.callback.port))
  "data-dir" .Values.dataDir
  "log-level" .Values.logLevel
  "log-format" .Values.logFormat
  "metrics-listen" (ternary (printf ":%v" (include "crnp-gateway.flagValue" .Values.metrics.port)) "off" .Values.metrics.enabled) }}
{{- if .Values.embeddedCluster }}
{{- $_ := set $c "embedded-cluster" true }}
{{- else }}
{{- $servers := list }}
{{- range .Values.crnpServers }}{{ $servers = append $servers (tpl . $) }}{{ end }}
{{- $_ := set $c "crnp-server" $servers }}
{{- end }}
{{- with .Values.callback.allow }}{{ $_ := set $c "callback-allow" . }}{{ end }}
{{- with .Values.registrationSource }}{{ $_ := set $c "registration-source" . }}{{ end }}
{{- if include "crnp-gateway.etcdStore" . }}
{{- $_ := set $c "store" "etcd" }}
{{- $endpoints := list }}
{{- range .Values.etcd.endpoints }}{{ $endpoints = append $endpoints (tpl . $) }}{{ end }}
{{- $_ := set $c "etcd-endpoints" (join "," $endpoints) }}
{{- $_ := set $c "etcd-prefix" .Values.etcd.prefix }}
{{- if .Values.etcd.tls.existingSecret }}
{{- $_ := set $c "etcd-ca" (printf "%s/ca.crt" (include "crnp-gateway.etcdTLSDir" .)) }}
{{- if .Values.etcd.tls.clientCertificate }}
{{- $_ := set $c "etcd-cert" (printf "%s/tls.crt" (include "crnp-gateway.etcdTLSDir" .)) }}
{{- $_ := set $c "etcd-key" (printf "%s/tls.key" (include "crnp-gateway.etcdTLSDir" .)) }}
{{- end }}
{{- end }}
{{- if .Values.etcd.auth.username }}
{{- $_ := set $c "etcd-username" .Values.etcd.auth.username }}
{{- $_ := set $c "etcd-password-file" (printf "%s/password" (include "crnp-gateway.etcdAuthDir" .)) }}
{{- end }}
{{- $_ := set $c "leader-lease-ttl" .Values.leaderLeaseTtl }}
{{- end }}
{{- if .Values.tls.enabled }}
{{- $_ := set $c "tls-cert" (printf "%s/tls.crt" (include "crnp-gateway.tlsDir" .)) }}
{{- $_ := set $c "tls-key" (printf "%s/tls.key" (include "crnp-gateway.tlsDir" .)) }}
{{- if .Values.tls.clientCA.enabled }}
{{- $_ := set $c "tls-client-ca" (printf "%s/ca.crt" (include "crnp-gateway.clientCADir" .)) }}
{{- end }}
{{- end }}
{{- if .Values.auth.enabled }}
{{- $_ := set $c "auth-tokens" (printf "%s/tokens" (include "crnp-gateway.authDir" .)) }}
{{- if .Values.auth.reflection }}{{ $_ := set $c "auth-reflection" true }}{{ end }}
{{- end }}
{{- range $key, $value := .Values.config }}{{ $_ := set $c $key $value }}{{ end }}
# crnp-gateway config file (docs/configuration.md), rendered by the Helm chart
{{- range $key, $value := $c }}
{{- if kindIs "slice" $value }}
{{ $key }}:
{{- range $value }}
  - {{ include "crnp-gateway.flagValue" . | quote }}
{{- end }}
{{- else }}
{{ $key }}: {{ include "crnp-gateway.flagValue" $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Whether the registration source comes from the downward API (podIP / hostNetwork). */}}
{{- define "crnp-gateway.sourceFromDownwardAPI" -}}
{{- if and (not .Values.registrationSource) (ne .Values.callback.mode "hostPort") }}true{{ end }}
{{- end }}

{{/* The gateway's command line: the config file, plus what only the pod knows. */}}
{{- define "crnp-gateway.args" -}}
- --config={{ include "crnp-gateway.configPath" . }}
{{- if include "crnp-gateway.sourceFromDownwardAPI" . }}
- --registration-source=$(CRNP_REGISTRATION_SOURCE)
{{- end }}
{{- if include "crnp-gateway.etcdStore" . }}
- --replica-name=$(CRNP_REPLICA_NAME)
{{- end }}
{{- range $flag, $value := .Values.extraArgs }}
- --{{ $flag }}={{ include "crnp-gateway.flagValue" $value }}
{{- end }}
{{- end }}

{{/* crnp-gateway-probe's arguments for a health check of `service` at `address`. */}}
{{- define "crnp-gateway.probeArgs" -}}
{{- $ := .root }}
- --address={{ .address }}
- --service={{ .service }}
- --timeout={{ .timeout }}
{{- if $.Values.tls.enabled }}
- --tls-ca={{ include "crnp-gateway.tlsDir" $ }}/ca.crt
- --tls-server-name={{ include "crnp-gateway.tlsServerName" $ }}
{{- end }}
{{- end }}

{{/* Readiness: grpc.health.v1 of probes.readiness.service (exec of the probe with TLS). */}}
{{- define "crnp-gateway.readinessProbe" -}}
{{- $probe := .Values.probes.readiness -}}
{{- if .Values.tls.enabled }}
exec:
  command:
    - crnp-gateway-probe
    {{- include "crnp-gateway.probeArgs" (dict "root" . "address" (printf "127.0.0.1:%v" (include "crnp-gateway.flagValue" .Values.grpc.port)) "service" $probe.service "timeout" $probe.timeoutSeconds) | trim | nindent 4 }}
{{- else }}
grpc:
  port: {{ .Values.grpc.port }}
  service: {{ $probe.service | quote }}
{{- end }}
periodSeconds: {{ $probe.periodSeconds }}
timeoutSeconds: {{ $probe.timeoutSeconds }}
failureThreshold: {{ $probe.failureThreshold }}
{{- end }}

{{/* Liveness: the process accepts connections on the gRPC port; not the upstream's health. */}}
{{- define "crnp-gateway.livenessProbe" -}}
{{- $probe := .Values.probes.liveness -}}
tcpSocket:
  port: grpc
{{- with $probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ $probe.periodSeconds }}
timeoutSeconds: {{ $probe.timeoutSeconds }}
failureThreshold: {{ $probe.failureThreshold }}
{{- end }}

{{/* Spread defaults for more than one replica (replaced by the user's own). */}}
{{- define "crnp-gateway.spread" -}}
{{- if .Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml .Values.topologySpreadConstraints | nindent 2 }}
{{- else if gt (int .Values.replicaCount) 1 }}
topologySpreadConstraints:
  {{- range list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
  - maxSkew: 1
    topologyKey: {{ . }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "crnp-gateway.selectorLabels" $ | nindent 8 }}
  {{- end }}
{{- end }}
{{- if .Values.affinity }}
affinity:
  {{- toYaml .Values.affinity | nindent 2 }}
{{- else if gt (int .Values.replicaCount) 1 }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "crnp-gateway.selectorLabels" . | nindent 14 }}
{{- end }}
{{- end }}

{{/* The pod template, shared by the Deployment and the StatefulSet. */}}
{{- define "crnp-gateway.podTemplate" -}}
{{- include "crnp-gateway.validate" . -}}
metadata:
  labels:
    {{- include "crnp-gateway.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A changed config file replaces the pods (the gateway reads it at start only).
    checksum/config: {{ include "crnp-gateway.configFile" . | sha256sum }}
    {{- if and .Values.metrics.enabled .Values.metrics.scrapeAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ include "crnp-gateway.flagValue" .Values.metrics.port | quote }}
    prometheus.io/path: /metrics
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  automountServiceAccountToken: false  # the gateway never calls the Kubernetes API
  {{- if eq .Values.callback.mode "hostNetwork" }}
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  {{- end }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: gateway
      image: {{ include "crnp-gateway.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        {{- include "crnp-gateway.args" . | nindent 8 }}
      {{- if or (include "crnp-gateway.sourceFromDownwardAPI" .) (include "crnp-gateway.etcdStore" .) .Values.extraEnv }}
      env:
        {{- if include "crnp-gateway.sourceFromDownwardAPI" . }}
        # The address the Solaris Cluster calls back (callback.mode {{ .Values.callback.mode }}).
        - name: CRNP_REGISTRATION_SOURCE
          valueFrom:
            fieldRef:
              fieldPath: {{ ternary "status.hostIP" "status.podIP" (eq .Values.callback.mode "hostNetwork") }}
        {{- end }}
        {{- if include "crnp-gateway.etcdStore" . }}
        # The replica's name in the leader election and GetClusterState: the pod's, unique
        # among the replicas (with hostNetwork the host name would be the node's).
        - name: CRNP_REPLICA_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      ports:
        - name: grpc
          containerPort: {{ .Values.grpc.port }}
          protocol: TCP
        - name: crnp-callback
          containerPort: {{ .Values.callback.port }}
          {{- if eq .Values.callback.mode "hostPort" }}
          hostPort: {{ .Values.callback.port }}
          {{- end }}
          protocol: TCP
        {{- if .Values.metrics.enabled }}
        - name: metrics
          containerPort: {{ .Values.metrics.port }}
          protocol: TCP
        {{- end }}
      {{- if .Values.probes.liveness.enabled }}
      livenessProbe:
        {{- include "crnp-gateway.livenessProbe" . | trim | nindent 8 }}
      {{- end }}
      {{- if .Values.probes.readiness.enabled }}
      readinessProbe:
        {{- include "crnp-gateway.readinessProbe" . | trim | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      volumeMounts:
        - name: data
          mountPath: {{ .Values.dataDir }}
        - name: tmp  # the root filesystem is read-only; SQLite may need temporary files
          mountPath: /tmp
        - name: config
          mountPath: {{ include "crnp-gateway.configPath" . | dir }}
          readOnly: true
        {{- if .Values.tls.enabled }}
        - name: tls
          mountPath: {{ include "crnp-gateway.tlsDir" . }}
          readOnly: true
        {{- if .Values.tls.clientCA.enabled }}
        - name: client-ca
          mountPath: {{ include "crnp-gateway.clientCADir" . }}
          readOnly: true
        {{- end }}
        {{- end }}
        {{- if .Values.auth.enabled }}
        - name: auth
          mountPath: {{ include "crnp-gateway.authDir" . }}
          readOnly: true
        {{- end }}
        {{- if and (include "crnp-gateway.etcdStore" .) .Values.etcd.tls.existingSecret }}
        - name: etcd-tls
          mountPath: {{ include "crnp-gateway.etcdTLSDir" . }}
          readOnly: true
        {{- end }}
        {{- if and (include "crnp-gateway.etcdStore" .) .Values.etcd.auth.existingSecret }}
        - name: etcd-auth
          mountPath: {{ include "crnp-gateway.etcdAuthDir" . }}
          readOnly: true
        {{- end }}
  volumes:
    {{- if not .Values.persistence.enabled }}
    - name: data
      emptyDir: {}
    {{- end }}
    - name: tmp
      emptyDir: {}
    - name: config
      configMap:
        name: {{ include "crnp-gateway.fullname" . }}
    {{- if .Values.tls.enabled }}
    - name: tls
      secret:
        secretName: {{ include "crnp-gateway.tlsSecret" . }}
        defaultMode: 0440
    {{- if .Values.tls.clientCA.enabled }}
    - name: client-ca
      secret:
        secretName: {{ include "crnp-gateway.clientCASecret" . }}
        defaultMode: 0440
    {{- end }}
    {{- end }}
    {{- if .Values.auth.enabled }}
    - name: auth
      secret:
        secretName: {{ include "crnp-gateway.authSecret" . }}
        defaultMode: 0440
    {{- end }}
    {{- /* Only the keys the gateway reads: a missing one stops the pod at the mount, named. */}}
    {{- if and (include "crnp-gateway.etcdStore" .) .Values.etcd.tls.existingSecret }}
    - name: etcd-tls
      secret:
        secretName: {{ .Values.etcd.tls.existingSecret }}
        defaultMode: 0440
        items:
          - {key: ca.crt, path: ca.crt}
          {{- if .Values.etcd.tls.clientCertificate }}
          - {key: tls.crt, path: tls.crt}
          - {key: tls.key, path: tls.key}
          {{- end }}
    {{- end }}
    {{- if and (include "crnp-gateway.etcdStore" .) .Values.etcd.auth.existingSecret }}
    - name: etcd-auth
      secret:
        secretName: {{ .Values.etcd.auth.existingSecret }}
        defaultMode: 0440
        items:
          - {key: password, path: password}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with (include "crnp-gateway.spread" . | trim) }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{- define "crnp-gateway.image" -}}
{{ required "image.repository is required" .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
