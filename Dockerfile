# syntax=docker/dockerfile:1
# The API server and its web UIs, for production (see README, "Running it").
# Two stages: the build stage compiles the server (npm run build → dist/) and the
# web UIs and GraphiQL (npm run build:web → build/web/); the runtime stage has only
# that built output and the production dependencies (npm ci --omit=dev), and runs
# as the unprivileged `node` user.
# test/server/dockerfile.test.ts replays the build stage's steps and checks they
# make the same dist/ as `npm run build`.

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.web.json codegen.ts ./
COPY src ./src
COPY schema ./schema
COPY clients ./clients
COPY scripts ./scripts
RUN npm run build
RUN npm run build:web

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/build/web ./build/web
# The web UIs' trusted documents (codegen's manifests): the server reads them at start.
COPY --from=build /app/clients/staff/src/generated/persisted-documents.json ./clients/staff/src/generated/persisted-documents.json
COPY --from=build /app/clients/citizen/src/generated/persisted-documents.json ./clients/citizen/src/generated/persisted-documents.json
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
