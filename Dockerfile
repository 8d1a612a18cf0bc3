# The production image: gunicorn for the web, the same image for Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 espace
WORKDIR /app

COPY pyproject.toml README.md ./
COPY espace_sante ./espace_sante
COPY dossier ./dossier
COPY profil ./profil
COPY professionnels ./professionnels
RUN pip install .
COPY manage.py ./
COPY templates ./templates
COPY static ./static

# Static files are collected at build time with throw-away production settings.
RUN DJANGO_ENV=production SECRET_KEY=build-only-secret-key-not-used-at-runtime-0123456789abcdef \
    ALLOWED_HOSTS=build ENCRYPTION_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    REDIS_URL=redis://build:6379/0 VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput && rm -rf /tmp/build-var

USER espace
ENV DJANGO_ENV=production VAR_DIR=/app/var
EXPOSE 8000
CMD ["gunicorn", "espace_sante.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--forwarded-allow-ips", "*", "--access-logfile", "-"]
