"""Checks of the delivery artefacts: image recipe, deploy/ manifests, Helm chart, Argo CD."""
