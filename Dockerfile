# syntax=docker/dockerfile:1
# Portcullis webhook server image: build with the full toolchain, run on
# distroless Node.js 24 (LTS, supported until 2028-04-30; Node 20 reached
# end of life on 2026-04-30) as a non-root user (uid 65532) with only production deps.
# CI runs the unit and in-process suites on the same Node 24 (.ci/run).
#   docker build -t ghcr.io/portcullis-dev/portcullis:0.1.0 .

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build --chown=0:0 /src/package.json ./package.json
COPY --from=build --chown=0:0 /src/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/dist ./dist
COPY --chown=0:0 manifests/crds ./manifests/crds
COPY --chown=0:0 policies ./policies
USER 65532:65532
EXPOSE 8443 9090
# The distroless entrypoint is `node`; the Deployment supplies `serve` flags.
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/main.js"]
CMD ["serve", "--cert-dir=/etc/portcullis/tls", "--no-dev-certs"]
