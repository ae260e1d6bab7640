"""Column types every table shares: aware UTC datetimes, integer ids, names of up to 200 characters."""
from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Annotated

from sqlalchemy import DateTime
from sqlalchemy import String
from sqlalchemy import TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column

from engine import clock


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Every id column (primary and foreign keys) is an Integer: 32 bits on PostgreSQL. A larger number is
# no id at all, and PostgreSQL refuses to compare it with the column ("integer out of range"), so
# every id a caller gives is bounded by this, on SQLite too (its INTEGER would take more).
MAX_INTEGER = 2**31 - 1
intpk = Annotated[int, mapped_column(primary_key=True)]
created = Annotated[datetime, mapped_column(UTCDateTime, default=clock.now)]
when = Annotated[datetime, mapped_column(UTCDateTime)]
name200 = Annotated[str, mapped_column(String(200))]
