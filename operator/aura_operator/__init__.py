"""aura-operator: run Neo4j Aura instances from Kubernetes."""

from importlib.metadata import version

# pyproject.toml is the one place the version is written.
__version__ = version("aura-operator")
