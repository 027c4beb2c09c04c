"""PostgreSQL storage: every conversation turn on every channel, and the web sessions.

A turn is one row of ``messages``: the channel (``web``, ``whatsapp``, ``teams``), the
user on that channel, who spoke (``user`` or ``assistant``) and the text. A user's
message carries the channel's id for it (a wamid, an activity id) in ``external_id``,
which is unique, so a webhook delivered twice is answered once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg  # type: ignore[import-untyped,unused-ignore]

Role = Literal["user", "assistant"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id          bigserial PRIMARY KEY,
    channel     text NOT NULL,
    user_id     text NOT NULL,
    role        text NOT NULL CHECK (role IN ('user', 'assistant')),
    content     text NOT NULL,
    external_id text UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS messages_by_user ON messages (channel, user_id, id);
CREATE TABLE IF NOT EXISTS web_sessions (
    id           text PRIMARY KEY,
    subject      text NOT NULL,
    name         text NOT NULL,
    id_token     text NOT NULL,
    access_token text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
"""

#: How many earlier turns the model sees.
HISTORY_TURNS = 20


@dataclass(frozen=True)
class Turn:
    """One stored message."""

    role: Role
    content: str


@dataclass(frozen=True)
class WebSession:
    """A logged-in browser: who it is and the provider's tokens."""

    id: str
    subject: str
    name: str
    id_token: str
    access_token: str
    created_at: datetime | None = None


class Store:
    """The bot's PostgreSQL database (a connection pool); `open` creates the tables."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, database_url: str) -> Store:
        """Connect to `database_url` and make sure the tables exist."""
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
        async with pool.acquire() as connection:
            await connection.execute(SCHEMA)
        return cls(pool)

    async def close(self) -> None:
        """Close every connection."""
        await self._pool.close()

    # ---- conversations --------------------------------------------------------------

    async def add_turn(
        self,
        channel: str,
        user_id: str,
        role: Role,
        content: str,
        external_id: str | None = None,
    ) -> bool:
        """Store a turn; False when a turn with this `external_id` is already stored."""
        row = await self._pool.fetchrow(
            "INSERT INTO messages (channel, user_id, role, content, external_id) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (external_id) DO NOTHING RETURNING id",
            channel,
            user_id,
            role,
            content,
            external_id,
        )
        return row is not None

    async def history(self, channel: str, user_id: str, limit: int = HISTORY_TURNS) -> list[Turn]:
        """The user's latest `limit` turns on `channel`, oldest first."""
        rows = await self._pool.fetch(
            "SELECT role, content FROM ("
            "  SELECT id, role, content FROM messages WHERE channel = $1 AND user_id = $2"
            "  ORDER BY id DESC LIMIT $3"
            ") AS latest ORDER BY id",
            channel,
            user_id,
            limit,
        )
        return [Turn(row["role"], row["content"]) for row in rows]

    # ---- web sessions ---------------------------------------------------------------

    async def save_session(self, session: WebSession) -> None:
        """Remember a logged-in browser."""
        await self._pool.execute(
            "INSERT INTO web_sessions (id, subject, name, id_token, access_token) "
            "VALUES ($1, $2, $3, $4, $5)",
            session.id,
            session.subject,
            session.name,
            session.id_token,
            session.access_token,
        )

    async def find_session(self, session_id: str) -> WebSession | None:
        """The session with this id, if it exists."""
        row = await self._pool.fetchrow(
            "SELECT id, subject, name, id_token, access_token, created_at "
            "FROM web_sessions WHERE id = $1",
            session_id,
        )
        return None if row is None else WebSession(**dict(row))

    async def delete_session(self, session_id: str) -> None:
        """Forget a session (logout, or the provider no longer accepts its token)."""
        await self._pool.execute("DELETE FROM web_sessions WHERE id = $1", session_id)
