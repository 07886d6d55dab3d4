# syntax=docker/dockerfile:1
# The aura-operator image: `docker build -t aura-operator:0.1.0 .`
# Build stage: a virtual environment with the pinned dependencies (requirements.lock) and the
# operator, made by deploy/image/install.sh, the same script tests/delivery runs.
# Final stage: that environment on a clean slim Python; no compiler, pip or cache.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY deploy/image/install.sh deploy/image/install.sh
COPY requirements.lock pyproject.toml README.md ./
COPY operator/ operator/
RUN --mount=type=cache,target=/root/.cache/pip sh deploy/image/install.sh . /opt/aura-operator

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="aura-operator" \
      org.opencontainers.image.description="Kubernetes operator for Neo4j Aura instances" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/aura-operator/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
COPY --from=build /opt/aura-operator /opt/aura-operator
# A fixed non-root UID/GID (no passwd entry needed); files stay root-owned and read-only to it,
# and /tmp (an emptyDir in Kubernetes) is the only place it writes.
USER 65532:65532
# Liveness (/healthz) and Prometheus metrics (/metrics): AURA_HEALTH_PORT, AURA_METRICS_PORT.
EXPOSE 8080 9090
ENTRYPOINT ["aura-operator", "run"]
