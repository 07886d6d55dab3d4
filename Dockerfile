# syntax=docker/dockerfile:1
# The aura-operator image. Build it with `make image` (IMAGE=<registry>/aura-operator), which
# passes the version from pyproject.toml and the git revision and source as build arguments.
# Build stage: a virtual environment with the pinned, hashed dependencies (requirements.lock),
# installed before the source is copied so a code change reuses that layer, then the operator;
# both by deploy/image/install.sh, the same script tests/delivery runs.
# Final stage: that environment on a clean slim Python; no compiler, pip or cache.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY deploy/image/install.sh deploy/image/install.sh
COPY requirements.lock build-requirements.lock ./
RUN --mount=type=cache,target=/root/.cache/pip sh deploy/image/install.sh deps . /opt/aura-operator
COPY pyproject.toml README.md ./
COPY operator/ operator/
RUN --mount=type=cache,target=/root/.cache/pip sh deploy/image/install.sh operator . /opt/aura-operator

FROM ${PYTHON_IMAGE}
ARG VERSION
ARG REVISION
ARG SOURCE
LABEL org.opencontainers.image.title="aura-operator" \
      org.opencontainers.image.description="Kubernetes operator for Neo4j Aura instances" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
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
