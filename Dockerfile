# Slim, non-root image. Build: docker build -t eligo .
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc libgomp1 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml requirements.lock README.md ./
COPY src ./src
# Serving needs no torch: the embedding model is built once (make models) and copied in var/models.
RUN python -m venv /opt/eligo && /opt/eligo/bin/pip install -c requirements.lock ".[cards,mlops]"

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 tesseract-ocr \
    && rm -rf /var/lib/apt/lists/* && useradd --create-home --uid 10001 eligo
COPY --from=build /opt/eligo /opt/eligo
WORKDIR /app
COPY --chown=eligo:eligo var/models ./var/models
USER eligo
ENV PATH=/opt/eligo/bin:$PATH ELIGO_ENV=prod MLFLOW_DISABLE_TELEMETRY=true HF_HUB_OFFLINE=1
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["eligo", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
