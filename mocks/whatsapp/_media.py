"""Uploaded and received media: the bytes, their id, MIME type and SHA-256.

A bot uploads a file (``POST /{phone-number-id}/media``) and sends it by id; a user's
file arrives as an id the bot looks up (``GET /{media-id}``) and downloads from the URL
it gets back, with its bearer token. The store keeps the exact bytes, so a download
returns what was uploaded, byte for byte.

>>> import random
>>> from mocks.whatsapp._ids import IdGenerator
>>> store = MediaStore(IdGenerator(random.Random(0)))
>>> item = store.put(b"%PDF-1.7", "application/pdf", "a.pdf", owner="123")
>>> store.by_token(item.token) is item, item.size
(True, 8)
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from dataclasses import dataclass

from ._ids import IdGenerator

#: What WhatsApp calls each MIME family when a message carries media.
MEDIA_KINDS = ("image", "document", "audio", "video", "sticker")


@dataclass(frozen=True, slots=True)
class MediaItem:
    """One stored file."""

    id: str
    data: bytes
    mime_type: str
    filename: str | None
    owner: str
    token: str

    @property
    def sha256(self) -> str:
        """Lower-case hex SHA-256 of the bytes."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    def download_path(self) -> str:
        """The path (and query) the bytes are served at, shaped like WhatsApp's CDN URLs."""
        extension = (mimetypes.guess_extension(self.mime_type.split(";")[0].strip()) or ".bin")[1:]
        return f"/whatsapp_business/attachments/?mid={self.id}&ext={extension}&hash={self.token}"

    def metadata(self, base_url: str) -> dict[str, object]:
        """The ``GET /{media-id}`` answer, with the download URL under `base_url`."""
        return {
            "messaging_product": "whatsapp",
            "url": base_url + self.download_path(),
            "mime_type": self.mime_type,
            "sha256": self.sha256,
            "file_size": self.size,
            "id": self.id,
        }


def message_type_for(mime_type: str) -> str:
    """The message type a file of this MIME type is sent as (``image/webp`` is a sticker)."""
    family = mime_type.split("/", 1)[0]
    if mime_type == "image/webp":
        return "sticker"
    return family if family in ("image", "audio", "video") else "document"


class MediaStore:
    """Every file uploaded or simulated as received, by id and by download token."""

    def __init__(self, ids: IdGenerator) -> None:
        self.ids = ids
        self._items: dict[str, MediaItem] = {}
        self._by_token: dict[str, MediaItem] = {}
        self._lock = threading.Lock()

    def put(
        self, data: bytes, mime_type: str, filename: str | None = None, *, owner: str
    ) -> MediaItem:
        """Store `data` and return its new item (id and download token drawn from the ids)."""
        with self._lock:
            item = MediaItem(
                self.ids.media_id(), data, mime_type, filename, owner, self.ids.download_token()
            )
            self._items[item.id] = item
            self._by_token[item.token] = item
            return item

    def get(self, media_id: str) -> MediaItem | None:
        """The item with this id, if stored."""
        with self._lock:
            return self._items.get(media_id)

    def by_token(self, token: str) -> MediaItem | None:
        """The item a download URL's ``hash`` names, if stored."""
        with self._lock:
            return self._by_token.get(token)

    def delete(self, media_id: str) -> bool:
        """Forget an item; False when there was none."""
        with self._lock:
            item = self._items.pop(media_id, None)
            if item is not None:
                self._by_token.pop(item.token, None)
            return item is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        """Forget every item."""
        with self._lock:
            self._items.clear()
            self._by_token.clear()
