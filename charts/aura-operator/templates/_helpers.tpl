{{/* Chart name, overridable. */}}
{{- define "aura-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name of every object. */}}
{{- define "aura-operator.fullname" -}}
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

{{- define "aura-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aura-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "aura-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "aura-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: aura-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "aura-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "aura-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository@digest when a digest is set, else repository:tag (the appVersion by default). */}}
{{- define "aura-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The pod's labels: the chart's, then podLabels, which may not replace a selector label. */}}
{{- define "aura-operator.podLabels" -}}
{{- $selector := include "aura-operator.selectorLabels" . | fromYaml }}
{{- range $key, $_ := .Values.podLabels }}
{{- if hasKey $selector $key }}
{{- fail (printf "podLabels: %s is a selector label the chart sets; remove it from podLabels" $key) }}
{{- end }}
{{- end }}
{{- toYaml (merge (deepCopy .Values.podLabels) (include "aura-operator.labels" . | fromYaml)) }}
{{- end }}

{{/* Namespace and name of the default credentials Secret ("name" lives in the release namespace). */}}
{{- define "aura-operator.credentialsSecretNamespace" -}}
{{- $parts := splitList "/" .Values.aura.defaultCredentialsSecret }}
{{- if eq (len $parts) 2 }}{{ first $parts }}{{ else }}{{ .Release.Namespace }}{{ end }}
{{- end }}

{{- define "aura-operator.credentialsSecretName" -}}
{{- last (splitList "/" .Values.aura.defaultCredentialsSecret) }}
{{- end }}

{{/*
The operator's permissions inside a namespace, shared by the ClusterRole (all namespaces) and the
per-namespace Roles. deploy/operator/cluster-role.yaml carries the same rules; a test keeps them equal.
*/}}
{{- define "aura-operator.namespacedRules" -}}
# kopf lists and watches AuraInstances, and patches its finalizer and annotations onto them.
- apiGroups: [aura.neo4j.io]
  resources: [aurainstances]
  verbs: [get, list, watch, patch]
- apiGroups: [aura.neo4j.io]
  resources: [aurainstances/status]
  verbs: [patch]
# For the OwnerReferencesPermissionEnforcement admission plugin (on in OpenShift): an owner
# reference that blocks its owner's deletion needs update on the owner's finalizers. The
# connection Secrets set blockOwnerDeletion false today; this keeps foreground deletion possible.
- apiGroups: [aura.neo4j.io]
  resources: [aurainstances/finalizers]
  verbs: [update]
# AuraSnapshots and AuraRestores: watched, their status written; a restore with snapshotBefore
# creates an AuraSnapshot. Neither kind has a finalizer.
- apiGroups: [aura.neo4j.io]
  resources: [aurasnapshots, aurarestores]
  verbs: [get, list, watch, patch]
- apiGroups: [aura.neo4j.io]
  resources: [aurasnapshots]
  verbs: [create]
- apiGroups: [aura.neo4j.io]
  resources: [aurasnapshots/status, aurarestores/status]
  verbs: [patch]
# An Event for every Aura write (kopf posts core/v1 Events).
- apiGroups: [""]
  resources: [events]
  verbs: [create]
# Reads credentials Secrets; creates and patches the connection Secrets. delete is never
# called: OwnerReferencesPermissionEnforcement lets only those who may delete an object change
# its ownerReferences, which the operator does when it adopts an existing connection Secret
# and when deletionPolicy Retain (or a switch to it) frees the Secret from its AuraInstance.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, create, patch, delete]
{{- end }}
