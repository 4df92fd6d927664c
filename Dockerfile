# Kyodo for production: PostgreSQL through DATABASE_URL (or SQLite on the /data volume).
# Build: docker build -t kyodo .
# Run:   docker run --env-file .env -p 8443:8443 -p 8090:8090 kyodo
# Settings: docs/operations.md.

# --- Stage 1: the translation catalogs, compiled by the Makefile's own rule --------------------
FROM python:3.11-slim-bookworm AS catalogs

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
RUN pip install "babel>=2.14"

WORKDIR /src
COPY Makefile pyproject.toml ./
COPY locales ./locales

# `make catalogs` compiles every locales/<lang>/LC_MESSAGES/<part>.po with its part as the gettext
# domain. BIN points the rule at this image's pybabel, and STAMP at a file that stands for "the
# environment is installed", so make builds no virtual environment here. Stale .mo files from
# the build context are removed first, so that every catalog is compiled from its .po.
RUN find locales -name '*.mo' -delete \
    && touch .installed \
    && make catalogs BIN=/usr/local/bin STAMP=.installed

# --- Stage 2: the runtime ---------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# What the running bot needs from Debian: time zone data (zoneinfo), the CA certificates for
# https to Telegram, and IPAex Gothic, the Japanese font embedded in the invitation letters' PDF
# (bot/letters). Every Python dependency ships as a wheel, so no compiler is installed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata ca-certificates fonts-ipaexfont-gothic \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY sandbox ./sandbox
COPY kyodo ./kyodo
COPY --from=catalogs /src/locales ./locales

# Editable, so that locales/ stays beside bot/ where the translations are looked up. The code
# stays root's and read-only to the bot; the bot's user owns /data only.
RUN pip install -e . \
    && useradd --system --uid 10001 --no-create-home --home-dir /data --shell /usr/sbin/nologin kyodo \
    && mkdir -p /data \
    && chown kyodo:kyodo /data

# In a container both of Kyodo's servers listen on every interface; the defaults (127.0.0.1)
# would be unreachable through -p. The SQLite default lives on the volume.
ENV WEBHOOK_LISTEN_HOST=0.0.0.0 \
    KYODO_WEB_HOST=0.0.0.0 \
    DATABASE_URL=sqlite+aiosqlite:////data/kyodo.db
VOLUME ["/data"]

USER kyodo

# 8443: the webhook listener (WEBHOOK_LISTEN_PORT; unused with long polling).
# 8090: Kyodo's web server (KYODO_WEB_PORT): the staff desk at /desk and calendar links.
EXPOSE 8443 8090

# Migrations are idempotent: each start brings the schema up to date, then runs the bot.
CMD ["sh", "-c", "kyodo db upgrade && exec kyodo run"]
