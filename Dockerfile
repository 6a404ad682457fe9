# syntax=docker/dockerfile:1
# Images of the app for PostgreSQL (docs/deploy.md). Targets:
#   app    (the default, last stage) the standalone Next.js server: `node server.js`, non-root, healthcheck on
#          /api/health. It holds .next/standalone only: no sources, no dev dependencies.
#   tools  the repository with its dependencies, for the one-shot migration (`npm run db:migrate`) and the worker
#          (`npm run worker`).
# Nothing secret is baked in: no ARG or ENV carries a secret, and every variable is read and validated at run time
# (lib/env.ts, on first use), so one image serves every environment.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# The generated Prisma client is engine-specific, so the image is built for PostgreSQL. Only the URL's scheme is
# read here; nothing connects at build time.
RUN DATABASE_URL=postgresql://build@localhost:5432/build BUILD_STANDALONE=1 node scripts/build.mjs

FROM build AS tools
ENV NODE_ENV=production
USER node
CMD ["npm", "run", "worker"]

FROM node:${NODE_VERSION}-bookworm-slim AS app
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOSTNAME=0.0.0.0 PORT=3000
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/public ./public
USER node
EXPOSE 3000
# Readiness, not liveness only: /api/health answers 503 while the database is unreachable.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server.js"]
