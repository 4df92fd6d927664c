# Kyodo for production: python-telegram-bot transport, PostgreSQL through DATABASE_URL.
# Build: docker build -t kyodo .   Run: docker run --env-file .env -p 8443:8443 kyodo
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY sandbox ./sandbox
COPY locales ./locales

# Editable, so that locales/ stays beside bot/ where the translations are looked up.
RUN pip install -e . \
    && pybabel compile -d locales -D kyodo \
    && useradd --system --uid 10001 --home-dir /app kyodo \
    && chown -R kyodo /app

USER kyodo

# The webhook listener (WEBHOOK_LISTEN_PORT); unused with long polling.
EXPOSE 8443

# Migrations are idempotent: each start brings the schema up to date, then runs the bot.
CMD ["sh", "-c", "kyodo db upgrade && exec kyodo run"]
