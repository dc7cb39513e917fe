# One image for every Roundtable process: web (daphne), worker and beat differ by command.
# Browser libraries: installed from the npm registry by the lock file, copied into static.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ROUNDTABLE_VAR_DIR=/var/lib/roundtable
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /assets/node_modules/markdown-it/dist/browser/markdown-it.esm.min.mjs /assets/node_modules/markdown-it/LICENSE frontend_static/vendor/
COPY --from=assets /assets/node_modules/chart.js/dist/chart.umd.min.js /assets/node_modules/chart.js/dist/chart.umd.min.js.map frontend_static/vendor/
COPY --from=assets /assets/node_modules/chart.js/LICENSE.md frontend_static/vendor/chart.js.LICENSE.md
RUN useradd --system --home /var/lib/roundtable roundtable \
 && mkdir -p /var/lib/roundtable && chown roundtable /var/lib/roundtable
USER roundtable
EXPOSE 8000
# No --proxy-headers: X-Forwarded-For is believed only from TRUSTED_PROXIES (config/client_ip.py).
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
