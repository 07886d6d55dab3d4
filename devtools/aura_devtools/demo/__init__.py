"""`aura-operator-dev demo`: the simulator, a Kubernetes API emulator and the real operator on one
machine, applying deploy/samples/ and showing them become Ready."""
