# Cohort Bot — one image for Discord, Slack (Socket Mode or HTTP) and any number of workers.
#   docker build -t cohort-bot .
#   docker run --env-file .env -v cohort-data:/app/data cohort-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 cohort

# Dependencies and code first (cached until pyproject.toml or the code changes).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY demo ./demo
RUN pip install .

# The instructors' file; mount your own over it (-v ./schedules.yaml:/app/schedules.yaml:ro).
COPY schedules.yaml Procfile ./
RUN mkdir -p /app/data && chown cohort:cohort /app/data

USER cohort
# SQLite by default (a volume keeps it); set DATABASE_URL=postgresql://... for PostgreSQL.
ENV DATABASE_URL=sqlite:////app/data/cohort.db \
    BOT_CONFIG=/app/schedules.yaml \
    PORT=3000
VOLUME ["/app/data"]
EXPOSE 3000

# Healthy = the code imports, the configuration loads and the database answers. (Slack in HTTP
# mode also serves GET /healthz on $PORT; a load balancer should probe that.)
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD python -c "from sqlalchemy import text; from bot.settings import Settings; from bot.storage import Database; \
db = Database(Settings().database_url); conn = db.engine.connect(); conn.execute(text('SELECT 1')); conn.close()" || exit 1

CMD ["python", "-m", "bot", "run"]
