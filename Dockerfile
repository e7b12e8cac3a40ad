# Production image: gunicorn serves the web app and API; the same image runs `civicflow scheduler`.
#   docker build -t civicflow .
#   docker run -e DATABASE_URL=postgresql+psycopg://... -e CIVICFLOW_SECRET_KEY=... -p 8000:8000 civicflow
#   docker run -e DATABASE_URL=... -e CIVICFLOW_SECRET_KEY=... civicflow civicflow scheduler
# The front-end packages the pages serve at /vendor/ (never a CDN), from the lock file.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 civicflow
WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY engine engine
COPY forms forms
COPY webapp webapp
COPY notifications notifications
COPY processes processes
COPY bench bench
RUN pip install --no-cache-dir babel \
 && for po in webapp/translations/*/LC_MESSAGES/*.po; do pybabel compile -i "$po" -o "${po%.po}.mo"; done \
 && pip install --no-cache-dir . && mkdir -p /data && chown civicflow /data
COPY --from=assets /assets/node_modules /app/node_modules

USER civicflow
ENV CIVICFLOW_INSTANCE_PATH=/data \
    CIVICFLOW_NODE_MODULES=/app/node_modules \
    GUNICORN_WORKERS=4
EXPOSE 8000
COPY --chown=civicflow docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["web"]
