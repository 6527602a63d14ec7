# One image for web, worker and beat (docker-compose.yml picks the command).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
# WeasyPrint's Pango (the PDFs' Chinese font comes with node_modules).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN python scripts/compile_messages.py \
 && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && useradd --create-home app && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
# Workers, timeouts and recycling: gunicorn.conf.py (WEB_CONCURRENCY and friends).
CMD ["gunicorn", "salesreports.wsgi", "--config", "gunicorn.conf.py"]
