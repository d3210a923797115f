"""Start-up checks of external services: one line naming the setting on failure."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError


def check_database() -> str | None:
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"DATABASE_URL: cannot connect to the database: {reason}"
    return None


def check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except (redis.RedisError, ValueError) as exc:
        return f"REDIS_URL: cannot connect to Redis: {exc}"
    return None


def check_services() -> str | None:
    return check_database() or check_redis()
