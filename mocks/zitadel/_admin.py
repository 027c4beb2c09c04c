"""MockZitadel's admin routes: its configuration and test helpers over HTTP.

They live under ``/__admin/zitadel`` beside the engine's own admin routes (which this
class serves unchanged), so a test in any language can do what the Python API does::

    curl -X POST $MOCK/__admin/zitadel/applications -d '{"name": "web", "kind": "web",
         "redirect_uris": ["http://127.0.0.1:8000/callback"]}'
    curl -X POST $MOCK/__admin/zitadel/users -d '{"email": "alice@example.com",
         "password": "Secret1!", "roles": ["admin"]}'
    curl $MOCK/__admin/zitadel
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import ValidationError

from ..core._admin import AdminAPI, AdminError, validation_error
from ._model import Application, ServiceUser, StubConfig, User

if TYPE_CHECKING:
    from ._mock import MockZitadel

PREFIX = "/__admin/zitadel"
Handler = Callable[[Any], Awaitable[Any]]


def _application(app: Application) -> dict[str, Any]:
    return app.model_dump(mode="json")


def _user(user: User) -> dict[str, Any]:
    return user.model_dump(mode="json", exclude={"password"})


def _service_user(user: ServiceUser) -> dict[str, Any]:
    return user.model_dump(mode="json")


class ZitadelAdminAPI(AdminAPI):
    """The engine's admin API plus ``/__admin/zitadel/...``."""

    def __init__(self, mock: MockZitadel) -> None:
        super().__init__(mock)
        self.zitadel = mock
        self._routes: dict[tuple[str, str], Handler] = {
            ("GET", ""): self._overview,
            ("POST", "/config"): self._config,
            ("POST", "/applications"): self._create_application,
            ("POST", "/users"): self._create_user,
            ("POST", "/service-users"): self._create_service_user,
            ("POST", "/logins"): self._expect_login,
            ("POST", "/tokens"): self._issue_token,
            ("POST", "/tokens/expire"): self._expire,
            ("POST", "/tokens/revoke"): self._revoke,
            ("POST", "/keys/rotate"): self._rotate,
            ("POST", "/clock"): self._clock,
            ("POST", "/auto-login"): self._auto_login,
        }

    async def __call__(self, http: web.BaseRequest) -> web.StreamResponse:
        """Serve ``/__admin/zitadel/...``; everything else is the engine's admin API."""
        if not http.path.startswith(PREFIX):
            return await super().__call__(http)
        try:
            self._authorize(http)
            handler = self._routes.get((http.method, http.path[len(PREFIX) :].rstrip("/")))
            if handler is None:
                raise AdminError(404, f"no admin route {http.method} {http.path}")
            body = await self._json_body(http) if http.method == "POST" else {}
            if not isinstance(body, dict):
                raise AdminError(400, "body: a JSON object is required", "body")
            return web.json_response(await handler(body))
        except AdminError as exc:
            return exc.response()
        except ValidationError as exc:
            return validation_error(exc).response()
        except (KeyError, TypeError, ValueError) as exc:
            return AdminError(400, f"{type(exc).__name__}: {exc}").response()

    # ---- handlers -----------------------------------------------------------------

    async def _overview(self, body: dict[str, Any]) -> dict[str, Any]:
        mock = self.zitadel
        with mock.lock:
            directory = mock.provider.state.directory
            return {
                "issuer": mock.issuer,
                "project_id": mock.project_id,
                "zitadel_project_id": directory.zitadel_project_id,
                "organization": directory.org.model_dump(mode="json"),
                "projects": [p.model_dump(mode="json") for p in directory.projects.values()],
                "applications": [_application(a) for a in directory.applications.values()],
                "users": [_user(u) for u in directory.users.values()],
                "service_users": [_service_user(u) for u in directory.service_users.values()],
                "auto_login": mock.provider.state.auto_login,
                "now": mock.clock.now(),
            }

    async def _config(self, body: dict[str, Any]) -> dict[str, Any]:
        self.zitadel.configure(StubConfig.model_validate(body))
        return await self._overview({})

    async def _create_application(self, body: dict[str, Any]) -> dict[str, Any]:
        options = dict(body)
        name = options.pop("name")
        kind = options.pop("kind", "web")
        settings = options.pop("settings", {})
        return _application(self.zitadel.create_application(name, kind, **options, **settings))

    async def _create_user(self, body: dict[str, Any]) -> dict[str, Any]:
        options = dict(body)
        email = options.pop("email")
        password = options.pop("password", "Password1!")
        roles = options.pop("roles", [])
        return _user(self.zitadel.create_test_user(email, password, roles, **options))

    async def _create_service_user(self, body: dict[str, Any]) -> dict[str, Any]:
        options = dict(body)
        key_file = self.zitadel.create_service_user(options.pop("name"), **options)
        return {"user": _service_user(key_file.user), "key_file": dict(key_file)}

    def _find_user(self, user_id: str) -> User:
        user = self.zitadel.provider.state.directory.find_user(user_id)
        if user is None:
            raise AdminError(404, f"user_id: no user {user_id}", "user_id")
        return user

    async def _expect_login(self, body: dict[str, Any]) -> dict[str, Any]:
        tokens = self.zitadel.expect_login(self._find_user(body["user_id"]), body.get("password"))
        return {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token}

    async def _issue_token(self, body: dict[str, Any]) -> dict[str, Any]:
        directory = self.zitadel.provider.state.directory
        principal = directory.find_principal(body["user_id"])
        if principal is None:
            raise AdminError(404, f"user_id: no user {body['user_id']}", "user_id")
        app = directory.find_client(body["client_id"])
        if app is None:
            raise AdminError(404, f"client_id: no application {body['client_id']}", "client_id")
        tokens = self.zitadel.issue_token(
            principal,
            app,
            scopes=body.get("scopes", ["openid", "profile", "email"]),
            expires_in=body.get("expires_in"),
        )
        return tokens.body()

    async def _expire(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"expired": self.zitadel.expire(str(body["token"]))}

    async def _revoke(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"revoked": self.zitadel.revoke(str(body["token"]))}

    async def _rotate(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"kid": self.zitadel.rotate_keys().kid}

    async def _clock(self, body: dict[str, Any]) -> dict[str, Any]:
        clock = self.zitadel.clock
        if body.get("unfreeze"):
            clock.unfreeze()
        if "freeze" in body:
            clock.freeze(body["freeze"])
        if "skew" in body:
            clock.skew = float(body["skew"])
        if "advance" in body:
            clock.advance(float(body["advance"]))
        return {"now": clock.now(), "frozen": clock.frozen, "skew": clock.skew}

    async def _auto_login(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = body.get("user_id")
        user = self._find_user(user_id) if user_id else None
        self.zitadel.set_auto_login(user, enabled=bool(body.get("enabled", True)))
        return {"auto_login": self.zitadel.provider.state.auto_login}
