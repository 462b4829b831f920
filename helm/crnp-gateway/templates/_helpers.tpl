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

{{/* The gateway's command line, from the values. */}}
{{- define "crnp-gateway.args" -}}
- --grpc-listen=0.0.0.0:{{ .Values.grpc.port }}
- --callback-listen=0.0.0.0:{{ .Values.callback.port }}
- --data-dir={{ .Values.dataDir }}
- --log-level={{ .Values.logLevel }}
{{- if .Values.embeddedCluster }}
- --embedded-cluster
{{- else if not .Values.crnpServers }}
{{- fail "crnpServers: list at least one CRNP server (host:port), or set embeddedCluster: true" }}
{{- end }}
{{- range .Values.crnpServers }}
- --crnp-server={{ tpl . $ }}
{{- end }}
{{- with .Values.callback.allow }}
- --callback-allow={{ . }}
{{- end }}
{{- with .Values.registrationSource }}
- --registration-source={{ . }}
{{- end }}
{{- range $flag, $value := .Values.extraArgs }}
- --{{ $flag }}={{ include "crnp-gateway.flagValue" $value }}
{{- end }}
{{- end }}

{{/* One gRPC probe (Kubernetes probe.grpc) from a probes.<kind> value. */}}
{{- define "crnp-gateway.grpcProbe" -}}
grpc:
  port: {{ .port }}
  {{- with .probe.service }}
  service: {{ . | quote }}
  {{- end }}
{{- with .probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{/* The pod template, shared by the Deployment and the StatefulSet. */}}
{{- define "crnp-gateway.podTemplate" -}}
metadata:
  labels:
    {{- include "crnp-gateway.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  automountServiceAccountToken: false  # the gateway never calls the Kubernetes API
  {{- if .Values.hostNetwork }}
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
      image: "{{ required "image.repository is required" .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        {{- include "crnp-gateway.args" . | nindent 8 }}
      {{- with .Values.extraEnv }}
      env:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: grpc
          containerPort: {{ .Values.grpc.port }}
          protocol: TCP
        - name: crnp-callback
          containerPort: {{ .Values.callback.port }}
          protocol: TCP
      {{- if .Values.probes.liveness.enabled }}
      livenessProbe:
        {{- include "crnp-gateway.grpcProbe" (dict "port" .Values.grpc.port "probe" .Values.probes.liveness) | nindent 8 }}
      {{- end }}
      {{- if .Values.probes.readiness.enabled }}
      readinessProbe:
        {{- include "crnp-gateway.grpcProbe" (dict "port" .Values.grpc.port "probe" .Values.probes.readiness) | nindent 8 }}
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
  volumes:
    {{- if not .Values.persistence.enabled }}
    - name: data
      emptyDir: {}
    {{- end }}
    - name: tmp
      emptyDir: {}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
