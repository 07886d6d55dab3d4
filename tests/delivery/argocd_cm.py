"""Writes deploy/argocd/argocd-cm.yaml from deploy/argocd/health.lua, so the two stay identical.

By hand, after editing health.lua: `.venv/bin/python tests/delivery/argocd_cm.py`.
"""

from __future__ import annotations

from pathlib import Path

ARGOCD_DIR = Path(__file__).resolve().parents[2] / "deploy" / "argocd"
HEALTH_LUA = ARGOCD_DIR / "health.lua"
ARGOCD_CM = ARGOCD_DIR / "argocd-cm.yaml"
HEALTH_KEY = "resource.customizations.health.aura.neo4j.io_AuraInstance"

HEADER = f"""\
# Installs the AuraInstance health check into Argo CD (key {HEALTH_KEY}).
# Generated from health.lua by `.venv/bin/python tests/delivery/argocd_cm.py`; do not edit here.
# Merge it into the live ConfigMap:
#   kubectl --namespace argocd patch configmap argocd-cm --type merge \\
#     --patch-file deploy/argocd/argocd-cm.yaml
# or use it as a patch in your Argo CD kustomization, or copy the key into the argo-cd Helm chart's
# configs.cm values.
"""


def render_argocd_cm(health_lua: str) -> str:
    """The argocd-cm ConfigMap whose health key holds `health_lua` verbatim."""
    if not health_lua.endswith("\n") or health_lua.endswith("\n\n"):
        raise ValueError("health.lua must end with exactly one newline (YAML keeps one)")
    body = "".join(f"    {line}" if line.strip() else "\n" for line in health_lua.splitlines(True))
    return (
        HEADER
        + "apiVersion: v1\n"
        + "kind: ConfigMap\n"
        + "metadata:\n"
        + "  name: argocd-cm\n"
        + "  namespace: argocd\n"
        + "  labels:\n"
        + "    app.kubernetes.io/name: argocd-cm\n"
        + "    app.kubernetes.io/part-of: argocd\n"
        + "data:\n"
        + f"  {HEALTH_KEY}: |\n"
        + body
    )


def main() -> int:
    ARGOCD_CM.write_text(render_argocd_cm(HEALTH_LUA.read_text()))
    print(f"wrote {ARGOCD_CM}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
