{{/* Names and labels shared by every template. */}}
{{- define "changecast.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "changecast.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* selector labels of one component: include "changecast.selector" (list $ "router") */}}
{{- define "changecast.selector" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ $root.Chart.Name }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* image of one component: include "changecast.image" (list $ .Values.router.image) */}}
{{- define "changecast.image" -}}
{{- $root := index . 0 -}}
{{- printf "%s%s:%s" $root.Values.image.registry (index . 1) (default $root.Chart.AppVersion $root.Values.image.tag) -}}
{{- end -}}

{{/* extra variables of one component, each with the component's prefix and none of those the
     chart sets from its values (named without the prefix):
     include "changecast.extraEnv" (list .Values.router.env "CHANGECAST_ROUTER_" (list "STATE_DIR")) */}}
{{- define "changecast.extraEnv" -}}
{{- $prefix := index . 1 -}}
{{- $reserved := index . 2 -}}
{{- range $name, $value := index . 0 }}
{{- if not (hasPrefix $prefix $name) }}
{{- fail (printf "%s is not a %s* variable" $name $prefix) }}
{{- end }}
{{- if has (trimPrefix $prefix $name) $reserved }}
{{- fail (printf "%s is set from the chart's values (values.yaml), not from env" $name) }}
{{- end }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
