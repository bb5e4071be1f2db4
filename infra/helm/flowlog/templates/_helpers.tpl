{{- define "flowlog.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "flowlog.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "flowlog.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "flowlog.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "flowlog.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flowlog.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "flowlog.secretName" -}}
{{- if .Values.secret.create -}}{{ include "flowlog.fullname" . }}{{- else -}}{{ required "secret.existingSecret: name a Secret holding the { env: NAME } values, or set secret.create: true" .Values.secret.existingSecret }}{{- end -}}
{{- end -}}

{{- define "flowlog.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "flowlog.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{/* flowlog.yaml of a role: the shared config, metrics.listen on the pod port, and for detect the schedules. */}}
{{- define "flowlog.config" -}}
{{- $root := .root -}}
{{- $cfg := deepCopy $root.Values.config -}}
{{- $_ := set $cfg "metrics" (dict "listen" (printf "0.0.0.0:%d" (int $root.Values.metrics.port))) -}}
{{- if eq .role "detect" -}}
{{- $cfg = mergeOverwrite $cfg (deepCopy $root.Values.detectConfig) -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/* One Deployment: dict "root" . "role" "ingest"|"detect" "replicas" N "spec" .Values.ingest|.Values.detect */}}
{{- define "flowlog.deployment" -}}
{{- $root := .root -}}
{{- $role := .role -}}
{{- $spec := .spec -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "flowlog.fullname" $root }}-{{ $role }}
  labels:
    {{- include "flowlog.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $role }}
spec:
  replicas: {{ .replicas }}
  {{- if eq $role "detect" }}
  # one instance: each tick is claimed in the store, so a second would only stand by; Recreate keeps
  # a rollout from holding two pods for nothing
  strategy: { type: Recreate }
  {{- end }}
  selector:
    matchLabels:
      {{- include "flowlog.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ $role }}
  template:
    metadata:
      labels:
        {{- include "flowlog.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ $role }}
      annotations:
        checksum/config: {{ include "flowlog.config" (dict "root" $root "role" $role) | sha256sum }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $root.Values.metrics.port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
    spec:
      serviceAccountName: {{ include "flowlog.serviceAccountName" $root }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: flowlog
          image: "{{ $root.Values.image.repository }}:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}"
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: ["run", "--config", "/etc/flowlog/{{ $role }}.yaml", "--role", "{{ $role }}"]
          envFrom:
            - secretRef:
                name: {{ include "flowlog.secretName" $root }}
          env:
            - name: FLOWLOG_DATA_DIR
              value: /data
            {{- with $root.Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: metrics
              containerPort: {{ $root.Values.metrics.port }}
              protocol: TCP
          livenessProbe:
            httpGet: { path: /healthz, port: metrics }
            {{- toYaml $root.Values.probes.liveness | nindent 12 }}
          readinessProbe:
            httpGet: { path: /healthz, port: metrics }
            {{- toYaml $root.Values.probes.readiness | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          resources:
            {{- toYaml $spec.resources | nindent 12 }}
          volumeMounts:
            - { name: config, mountPath: /etc/flowlog, readOnly: true }
            - { name: data, mountPath: /data }
            - { name: spool, mountPath: /dev/shm }
            - { name: tmp, mountPath: /tmp }
      volumes:
        - name: config
          configMap:
            name: {{ include "flowlog.fullname" $root }}
        - name: data
          emptyDir: {}
        - name: spool
          emptyDir: { medium: Memory, sizeLimit: {{ $root.Values.spool.sizeLimit }} }
        - name: tmp
          emptyDir: {}
      {{- with $spec.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $spec.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $spec.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
