{{/* Name of the release's objects: the release name, with "lineage" unless it has it. */}}
{{- define "lineage.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; dict: root, component. */}}
{{- define "lineage.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "lineage.selectorLabels" . }}
{{- end -}}

{{/* Labels that select a component's pods; dict: root, component. */}}
{{- define "lineage.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/*
The image of a service, pinned: repository@digest when a digest is given,
else repository:tag (the chart's appVersion when the tag is empty). A
moving tag would let two pods of one Deployment run different code.
dict: root, image (the service's image values).
*/}}
{{- define "lineage.image" -}}
{{- $repo := required "image.repository is required" .image.repository -}}
{{- with .root.Values.image.registry }}{{ $repo = printf "%s/%s" (trimSuffix "/" .) $repo }}{{ end -}}
{{- if .image.digest -}}
{{- if not (hasPrefix "sha256:" .image.digest) }}{{ fail (printf "image digest of %s must be sha256:<hex>, got %q" .image.repository .image.digest) }}{{ end -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- $tag := .image.tag | default .root.Chart.AppVersion | toString -}}
{{- if eq $tag "latest" }}{{ fail (printf "image of %s: pin a tag or a digest, not latest" .image.repository) }}{{ end -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* The pod-level security of every pod: a non-root user, the runtime's seccomp profile. */}}
{{- define "lineage.podSecurityContext" -}}
{{- $u := .Values.podUser -}}
{{- if or (not $u.runAsUser) (not $u.runAsGroup) (not $u.fsGroup) }}{{ fail "podUser.runAsUser, runAsGroup and fsGroup must be set and not 0" }}{{ end -}}
runAsNonRoot: true
runAsUser: {{ int $u.runAsUser }}
runAsGroup: {{ int $u.runAsGroup }}
fsGroup: {{ int $u.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The container-level security of every container. */}}
{{- define "lineage.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The part of a pod spec every service shares; root context. */}}
{{- define "lineage.podSpecCommon" -}}
serviceAccountName: {{ include "lineage.fullname" . }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "lineage.podSecurityContext" . | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* An environment variable from a Secret; dict: name, secret, key. */}}
{{- define "lineage.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/*
The settings of the observability and the brokers every service takes,
under its prefix; dict: root, prefix.
*/}}
{{- define "lineage.commonEnv" -}}
- name: {{ .prefix }}KAFKA_BROKERS
  value: {{ join "," (required "kafka.brokers is required" .root.Values.kafka.brokers) | quote }}
- name: {{ .prefix }}LOG_LEVEL
  value: {{ .root.Values.logLevel | quote }}
{{- with .root.Values.otel.endpoint }}
{{- if not (or (hasPrefix "http://" .) (hasPrefix "https://" .)) }}{{ fail (printf "otel.endpoint must be a URL, http://host:4318 or https://...; got %q" .) }}{{ end }}
- name: {{ $.prefix }}OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/*
A service's extra settings (values <service>.settings), each prefixed. A
secret or a setting the chart sets itself is refused: the first belongs in
the Secret, the second has its own value. dict: prefix, settings, secrets,
managed.
*/}}
{{- define "lineage.settings" -}}
{{- range $name, $value := .settings }}
{{- if has $name $.secrets }}{{ fail (printf "%s%s is a secret: put it in the service's existingSecret, not in settings" $.prefix $name) }}{{ end }}
{{- if has $name $.managed }}{{ fail (printf "%s%s is set by the chart from its own value; remove it from settings" $.prefix $name) }}{{ end }}
- name: {{ $.prefix }}{{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* The probes of a service on the named port: /healthz for liveness, /readyz for readiness. */}}
{{- define "lineage.probes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: {{ . }}
  periodSeconds: 5
  failureThreshold: 36
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ . }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ . }}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end -}}

{{/* Resources of a container: both requests and limits, cpu and memory. */}}
{{- define "lineage.resources" -}}
{{- $r := .resources -}}
{{- if not (and $r $r.requests $r.limits $r.requests.cpu $r.requests.memory $r.limits.cpu $r.limits.memory) }}
{{- fail (printf "%s.resources needs requests and limits of cpu and memory" .name) }}
{{- end -}}
{{ toYaml $r }}
{{- end -}}
