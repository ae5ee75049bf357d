# syntax=docker/dockerfile:1
# Build: compile TypeScript, the admin console and better-sqlite3 (from source), then keep production dependencies only.
# Node 22 (LTS): Node 20 is past its end of life; 24 works too (see README, Development).
FROM node:22-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
COPY scripts/build-console.mjs ./scripts/
# npm ci's prepare step builds the server and the admin console's bundle; the bundle's libraries are
# devDependencies, so pruning them leaves the console working (the server only serves the built files).
RUN npm ci && npm prune --omit=dev

# Run: no compiler, no sources, not root.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    REFRESHD_DATABASE_URL=sqlite:/data/refreshd.db
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/console ./dist/console
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["node", "dist/src/healthcheck.js"]
# The same command the tests start outside a container: `node dist/src/cli.js serve`.
CMD ["node", "dist/src/cli.js", "serve"]
