# syntax=docker/dockerfile:1
# One image for the three Sluice processes (api, worker, beat); the command picks the role.
#   docker build -t sluice .
#   docker run sluice                              # api (default)
#   docker run sluice node --max-semi-space-size=2 dist/run-worker.js      # worker (young generation: docs/ops.md)
#   docker run sluice node dist/run-beat.js        # beat

# ---------------------------------------------------------------------------------------------------------------
# build: compile TypeScript (tsconfig.build.json) into dist/
FROM node:20-bookworm-slim AS build
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Sources (.dockerignore keeps node_modules, dist, .git and local secrets out of the context).
COPY . .
RUN npm run build

# ---------------------------------------------------------------------------------------------------------------
# runtime: production dependencies + compiled JS + migrations, run as the non-root `node` user
FROM node:20-bookworm-slim AS runtime
WORKDIR /app

ENV NODE_ENV=production \
    WORKERS_DIR=dist/workers \
    API_HOST=0.0.0.0 \
    API_PORT=8686 \
    LOG_FORMAT=json \
    SYNC_BUFFER_DIR=/app/var/sync-buffer

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Code and node_modules stay root-owned (read-only for the app); only var/ is writable.
# dist/ carries every plugin's migrations (workers/*/drizzle → dist/workers/*/drizzle) and the other assets:
# `npm run build` copies them by one rule each (scripts/copy-assets.js), so a new plugin needs no line here.
COPY --from=build /app/dist ./dist
# The core migrations: migrate.ts looks for <dist>/../drizzle from dist/app/core/database/, i.e. /app/drizzle.
COPY drizzle ./drizzle
RUN mkdir -p /app/var/sync-buffer && chown -R node:node /app/var

USER node
EXPOSE 8686

# Liveness of the api process (worker and beat serve no HTTP: docker-compose.yml disables it for them).
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 8686) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/run-api.js"]
