"""Writes deploy/argocd/argocd-cm.yaml from deploy/argocd/health.lua, so the two stay identical.

By hand, after editing health.lua: `.venv/bin/python tests/delivery/argocd_cm.py`.
"""

from __future__ import annotations

from pathlib import Path

ARGOCD_DIR = Path(__file__).resolve().parents[2] / "deploy" / "argocd"
HEALTH_LUA = ARGOCD_DIR / "health.lua"
ARGOCD_CM = ARGOCD_DIR / "argocd-cm.yaml"
HEALTH_KEY = "resource.customizations.health.aura.neo4j.io_AuraInstance"
OTHER_CHECKS = {
    "resource.customizations.health.aura.neo4j.io_AuraSnapshot": ARGOCD_DIR / "snapshot-health.lua",
    "resource.customizations.health.aura.neo4j.io_AuraRestore": ARGOCD_DIR / "restore-health.lua",
}
"""The health checks of the other kinds: key -> script."""

HEADER = """\
# Installs the health checks of AuraInstance, AuraSnapshot and AuraRestore into Argo CD
# (keys resource.customizations.health.aura.neo4j.io_<Kind>).
# Generated from health.lua, snapshot-health.lua and restore-health.lua by
# `.venv/bin/python tests/delivery/argocd_cm.py`; do not edit here.
# Merge it into the live ConfigMap:
#   kubectl --namespace argocd patch configmap argocd-cm --type merge \\
#     --patch-file deploy/argocd/argocd-cm.yaml
# or use it as a patch in your Argo CD kustomization, or copy the keys into the argo-cd Helm chart's
# configs.cm values.
"""


def _block(key: str, script: str) -> str:
    if not script.endswith("\n") or script.endswith("\n\n"):
        raise ValueError(f"the script of {key} must end with exactly one newline (YAML keeps one)")
    body = "".join(f"    {line}" if line.strip() else "\n" for line in script.splitlines(True))
    return f"  {key}: |\n" + body


def render_argocd_cm(health_lua: str, others: dict[str, str] | None = None) -> str:
    """The argocd-cm ConfigMap whose health keys hold `health_lua` (AuraInstance) and the
    `others` (key -> script) verbatim."""
    blocks = [_block(HEALTH_KEY, health_lua)]
    blocks += [_block(key, script) for key, script in (others or {}).items()]
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
        + "".join(blocks)
    )


def other_scripts() -> dict[str, str]:
    return {key: path.read_text() for key, path in OTHER_CHECKS.items()}


def main() -> int:
    ARGOCD_CM.write_text(render_argocd_cm(HEALTH_LUA.read_text(), other_scripts()))
    print(f"wrote {ARGOCD_CM}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
