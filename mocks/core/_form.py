"""Form bodies: urlencoded and ``multipart/form-data``, parsed from the bytes the journal keeps.

Parsing happens on first use (a matcher, a contract check or a route reading
`RecordedRequest.form`), never on the hot path of requests that don't ask for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file part of a multipart body."""

    #: The form field's name (``file`` for a WhatsApp media upload, say).
    name: str
    filename: str | None
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        """Its length in bytes."""
        return len(self.data)


def parse_form(content_type: str, body: bytes) -> tuple[list[tuple[str, str]], list[UploadedFile]]:
    """The fields (in order, repeated names kept) and file parts of a form body.

    A body that is not a form, or a malformed multipart body, gives no fields.
    """
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True), []
    if media_type != "multipart/form-data" or not body:
        return [], []
    return _multipart(content_type, body)


def _multipart(content_type: str, body: bytes) -> tuple[list[tuple[str, str]], list[UploadedFile]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    try:
        message = BytesParser(policy=HTTP).parsebytes(head + body)
    except (ValueError, TypeError, IndexError):
        return [], []
    if not message.is_multipart():
        return [], []
    fields: list[tuple[str, str]] = []
    files: list[UploadedFile] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = _payload(part)
        filename = part.get_filename()
        if filename is None and part.get_content_type() == "text/plain":
            charset = part.get_content_charset() or "utf-8"
            fields.append((name, data.decode(charset, "replace")))
        else:
            files.append(UploadedFile(name, filename, part.get_content_type(), data))
    return fields, files


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


__all__ = ["UploadedFile", "parse_form"]
