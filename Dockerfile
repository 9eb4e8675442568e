# One image for the API, the worker and the migration job (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COOPFLOW_DATA_DIR=/data

WORKDIR /app

# WeasyPrint renders invoices and payslips through Pango (with HarfBuzz and fontconfig); the
# invoice fonts are vendored, DejaVu covers anything else a document might contain.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Only what the application needs: no .venv, .data, .git or .env from the build context.
COPY pyproject.toml worker.py config.py ./
COPY domain/ domain/
COPY workflows/ workflows/
COPY activities/ activities/
COPY adapters/ adapters/
COPY db/ db/
COPY api/ api/
# ISO 20022 schemas the bank statement reader validates against (found relative to adapters/).
COPY vendor/ vendor/

RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app coopflow \
    && mkdir -p /data \
    && chown coopflow:coopflow /data

USER coopflow
EXPOSE 8000

CMD ["uvicorn", "api.app:app", "--host", "0.0.0.0", "--port", "8000"]
