# The production image: gunicorn for the web, the same image for Celery worker and beat and for
# the one-shot `migrate` service (docker-compose.yml; docs/DEPLOIEMENT.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 espace
WORKDIR /app

COPY pyproject.toml README.md ./
COPY espace_sante ./espace_sante
COPY dossier ./dossier
COPY profil ./profil
COPY professionnels ./professionnels
COPY messagerie ./messagerie
COPY agenda ./agenda
COPY proches ./proches
COPY ensemble ./ensemble
COPY interop ./interop
COPY aide ./aide
RUN pip install .
COPY manage.py ./
COPY templates ./templates
COPY static ./static
COPY docker ./docker

# /app first on the path for every process (gunicorn, celery, manage.py): the settings find
# templates/ and static/ next to the code, not next to the copy pip installed.
# STATIC_ROOT is where the build collects the static files AND where the runtime serves them
# from: outside VAR_DIR, which may be a volume mounted over the image's content.
ENV PYTHONPATH=/app STATIC_ROOT=/app/staticfiles
RUN docker/build.sh
RUN mkdir -p /app/var && chown espace:espace /app/var

USER espace
ENV DJANGO_ENV=production VAR_DIR=/app/var
EXPOSE 8000
# Healthy only when a real page renders with its static files and the database answers.
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "docker/healthcheck.py", "--port", "8000"]
CMD ["gunicorn", "espace_sante.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--forwarded-allow-ips", "*", "--access-logfile", "-"]
