"""aura-operator-devtools: what develops and tests the operator, never installed in a cluster.

- `aura_devtools.simulator`: a local Aura API v1 simulator (aiohttp).
- `aura_devtools.kube_emulator`: a Kubernetes API emulator on kmock, for e2e tests and the demo.
- `aura_devtools.demo`: the one-command demo (simulator, emulator and the real operator).

The runtime package `aura_operator` never imports this one; this one imports the runtime.
"""

from importlib.metadata import version

# devtools/pyproject.toml is the one place this distribution's version is written.
__version__ = version("aura-operator-devtools")
