# syntax=docker/dockerfile:1
# AgentCore Gateway images, one multi-stage build with a target per app:
#   docker build --target proxy        -t agentcore/proxy:0.1.0 .
#   docker build --target admin-api    -t agentcore/admin-api:0.1.0 .
#   docker build --target demo-backend -t agentcore/demo-backend:0.1.0 .
# The base is pinned to an exact Node 24 LTS tag (Debian bookworm, slim); pin it further by digest in
# your registry mirror (NODE_IMAGE=node:24.11.1-bookworm-slim@sha256:…). Runtime images hold the built
# dist/ folders and production dependencies only, run as uid 1000 (non-root) under tini (PID 1 that
# forwards signals and reaps children), and need no writable path but the volumes they are given, so
# they run with a read-only root filesystem.
# NOTE: no Docker engine runs where this repository is developed and tested; this file is checked
# statically by e2e/test/deploy-docker.test.ts, and no image has been built from it there.
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

# ---- build: full install (dev dependencies for tsc), then compile every workspace
FROM ${NODE_IMAGE} AS build
WORKDIR /src
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY policies/package.json policies/
COPY proxy/package.json proxy/
COPY admin-api/package.json admin-api/
COPY admin-ui/package.json admin-ui/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY policies policies
COPY proxy proxy
COPY admin-api admin-api
COPY admin-ui admin-ui
COPY e2e e2e
RUN npm run build

# ---- prod-deps: production dependencies only (native modules compiled for this same base)
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY policies/package.json policies/
COPY proxy/package.json proxy/
COPY admin-api/package.json admin-api/
COPY admin-ui/package.json admin-ui/
COPY e2e/package.json e2e/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: what every app image shares
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/cache/agentcore /run/agentcore \
 && chown 1000:1000 /var/cache/agentcore /run/agentcore
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=prod-deps /src/package.json /src/package-lock.json ./
COPY --from=prod-deps /src/node_modules node_modules
COPY --from=build /src/policies/package.json policies/
COPY --from=build /src/policies/dist policies/dist
COPY --from=build /src/policies/examples policies/examples
COPY --from=build /src/proxy/package.json proxy/
COPY --from=build /src/proxy/dist proxy/dist
COPY --from=build /src/admin-api/package.json admin-api/
COPY --from=build /src/admin-api/dist admin-api/dist
COPY --from=build /src/admin-ui/package.json admin-ui/
COPY --from=build /src/e2e/package.json e2e/
COPY --from=build /src/e2e/dist e2e/dist
LABEL org.opencontainers.image.vendor="AgentCore" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.source="https://example.invalid/agentcore-gateway" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--"]

# ---- the sidecar
FROM runtime AS proxy
LABEL org.opencontainers.image.title="agentcore-proxy" \
      org.opencontainers.image.description="AgentCore policy sidecar: authentication, RBAC and rate limits in front of one backend"
ENV AGENTCORE_PROXY_LISTEN=0.0.0.0:8080 \
    AGENTCORE_PROXY_ADMIN_LISTEN=0.0.0.0:9901 \
    AGENTCORE_PROXY_CACHE_DIR=/var/cache/agentcore
EXPOSE 8080 9901
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9901/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "proxy/dist/cli.js"]

# ---- the control plane
FROM runtime AS admin-api
LABEL org.opencontainers.image.title="agentcore-admin-api" \
      org.opencontainers.image.description="AgentCore control plane: policy store, signed bundles, access logs"
ENV AGENTCORE_ADMIN_LISTEN=0.0.0.0:7070
EXPOSE 7070
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7070/api/v1/sidecar/jwks').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "admin-api/dist/cli.js"]

# ---- the demo "agents" backend (for the compose demo and trials; not for production)
FROM runtime AS demo-backend
LABEL org.opencontainers.image.title="agentcore-demo-backend" \
      org.opencontainers.image.description="Demo agents backend for trying AgentCore Gateway"
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "e2e/dist/demo-backend-cli.js", "--host", "0.0.0.0", "--port", "3000"]
