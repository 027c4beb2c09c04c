"""A tiny mock written the way a new mock package is: only public `mocks.core` names.

It stores multipart uploads (a default route that also emits a webhook), serves them
back, and has admin routes of its own. The tests in ``test_new_mock.py`` run it
in-process, standalone (``python -m tinymock``) and in the stack (registered through an
entry point), without any change under ``mocks/core``.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from mocks.core import (
    AdminCall,
    AdminRoute,
    BaseMock,
    Callback,
    CliOption,
    RecordedRequest,
    Reply,
    ReplyError,
    Route,
)


class WebhookTarget(BaseModel):
    """Where upload webhooks go."""

    model_config = ConfigDict(extra="forbid")
    url: str


class UploadList(BaseModel):
    """The uploads so far."""

    uploads: list[str]


class MockTiny(BaseMock):
    """Stores uploads; ``POST /uploads`` (multipart) -> 201 ``{"id", "size", "note"}``."""

    service: ClassVar[str] = "tiny"

    def __init__(self, *, webhook_url: str | None = None, **options: Any) -> None:
        self.webhook_url = webhook_url
        self.uploads: dict[str, bytes] = {}
        super().__init__(**options)

    def build_routes(self) -> list[Route]:
        return [
            Route("POST", "/uploads", self._upload),
            Route("GET", "/uploads/{upload_id}", self._download),
        ]

    def admin_routes(self) -> list[AdminRoute]:
        return [
            AdminRoute(
                "PUT",
                "/__admin/tiny/webhook",
                self._set_webhook,
                "Where webhooks go",
                body=WebhookTarget,
                response=WebhookTarget,
            ),
            AdminRoute(
                "GET", "/__admin/tiny/uploads", self._list, "Uploads so far", response=UploadList
            ),
        ]

    def stack_environment(self) -> dict[str, str]:
        return {"TINY_URL": self.url}

    @classmethod
    def cli_options(cls) -> list[CliOption]:
        return [CliOption("webhook_url", "where upload webhooks go", metavar="URL")]

    def reset(self, *, keep_stubs: bool = True) -> None:
        super().reset(keep_stubs=keep_stubs)
        self.uploads.clear()

    def _upload(self, request: RecordedRequest) -> Reply:
        files = [f for f in request.files if f.name == "file"]
        if not files:
            raise ReplyError(self.error_reply(400, "file: required", request, field="file"))
        upload_id = f"up-{len(self.uploads) + 1}"
        self.uploads[upload_id] = files[0].data
        document = {"id": upload_id, "size": files[0].size, "note": request.form.get("note")}
        reply = Reply.json(document, 201)
        if self.webhook_url is not None:
            event = {"event": "uploaded", "id": upload_id}
            reply.callbacks.append(Callback(url=self.webhook_url, json=event, retries=0))
        return reply

    def _download(self, request: RecordedRequest) -> Reply:
        data = self.uploads.get(request.path_params["upload_id"])
        if data is None:
            raise ReplyError(self.error_reply(404, "no such upload", request, field="upload_id"))
        return Reply(200, {"Content-Type": "application/octet-stream"}, data)

    def _set_webhook(self, call: AdminCall) -> WebhookTarget:
        self.webhook_url = call.body.url
        return WebhookTarget(url=call.body.url)

    def _list(self, call: AdminCall) -> UploadList:
        return UploadList(uploads=sorted(self.uploads))


if __name__ == "__main__":
    from mocks.core.cli import main

    sys.exit(main(MockTiny))
