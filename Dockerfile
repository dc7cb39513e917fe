# One image for every Roundtable process: web (daphne), worker and beat differ by command.
# Browser libraries: installed from the npm registry by the lock file, copied into static.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# Translations: the committed .po catalogues are compiled to .mo here (as compilemessages does,
# msgfmt --check-format), so gettext stays out of the runtime image.
FROM python:3.11-slim AS messages
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN find . \( -path ./node_modules -o -path ./.venv \) -prune -o \
      -path '*/locale/*/LC_MESSAGES/*.po' -print \
  | while read -r po; do msgfmt --check-format -o "${po%.po}.mo" "$po" || exit 1; done

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ROUNDTABLE_VAR_DIR=/var/lib/roundtable
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --from=messages /src/ ./
COPY --from=assets /assets/node_modules/markdown-it/dist/browser/markdown-it.esm.min.mjs /assets/node_modules/markdown-it/LICENSE frontend_static/vendor/
COPY --from=assets /assets/node_modules/chart.js/dist/chart.umd.min.js /assets/node_modules/chart.js/dist/chart.umd.min.js.map frontend_static/vendor/
COPY --from=assets /assets/node_modules/chart.js/LICENSE.md frontend_static/vendor/chart.js.LICENSE.md
COPY --from=assets /assets/node_modules/fullcalendar/index.global.min.js frontend_static/vendor/fullcalendar.global.min.js
COPY --from=assets /assets/node_modules/@fullcalendar/core/locales/ru.global.min.js frontend_static/vendor/fullcalendar.ru.global.min.js
COPY --from=assets /assets/node_modules/fullcalendar/LICENSE.md frontend_static/vendor/fullcalendar.LICENSE.md
RUN useradd --system --home /var/lib/roundtable roundtable \
 && mkdir -p /var/lib/roundtable && chown roundtable /var/lib/roundtable
USER roundtable
EXPOSE 8000
# No --proxy-headers: X-Forwarded-For is believed only from TRUSTED_PROXIES (config/client_ip.py).
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
