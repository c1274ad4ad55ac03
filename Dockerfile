# Buurtscan: a non-root image that runs `buurtscan serve` (migrations first).
FROM python:3.11-slim-bookworm

# WeasyPrint's libraries and fonts for Latin, Cyrillic and Arabic (PDFs need them).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core fonts-noto-color-emoji \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 buurtscan \
 && mkdir /data && chown buurtscan /data

WORKDIR /srv/buurtscan
COPY pyproject.toml README.md alembic.ini babel.cfg ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY locales ./locales
COPY static ./static
RUN pip install --no-cache-dir -e . && python -c "import app.main"

USER buurtscan
ENV BUURTSCAN_DATABASE_URL=sqlite:////data/buurtscan.db \
    PYTHONUNBUFFERED=1
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["buurtscan", "serve", "--host", "0.0.0.0", "--port", "8000"]
