"""aura-operator: run Neo4j Aura instances from Kubernetes."""

__version__ = "0.1.0"
