# One image for the three services; SERVICE selects which one runs.
# Node 22: within package.json `engines` (20.19+ or 22.13+), and every dependency's own `engines` holds on it.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Keeps each service under 200 MB RSS at full load (BENCHMARKS.md § Memory).
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json maps #embedded-postgres here; the migration script (the release Job, deploy/) imports it.
COPY --from=build /app/libs/database/src/postgres-runtime.mjs ./libs/database/src/postgres-runtime.mjs
USER node
ENV SERVICE=intake
CMD ["sh", "-c", "node dist/apps/${SERVICE}/src/main.js"]
