"""Device authorization (RFC 8628) with Zitadel's user-code format and poll errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..jose import Clock
from ._errors import OAuthError
from ._ids import IdGenerator

#: Zitadel's default user code: 8 characters of this base-20 set, a dash after 4.
USER_CODE_CHARSET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
USER_CODE_DASH_INTERVAL = 4
#: The login UI page where a user types the code.
DEVICE_VERIFICATION_PATH = "/ui/login/device"

DeviceState = Literal["pending", "approved", "denied", "done"]


def format_user_code(raw: str, dash_interval: int = USER_CODE_DASH_INTERVAL) -> str:
    """Insert a dash every `dash_interval` characters ("WDJBMJHT" -> "WDJB-MJHT")."""
    chunks = [raw[i : i + dash_interval] for i in range(0, len(raw), dash_interval)]
    return "-".join(chunks)


def normalize_user_code(code: str) -> str:
    """A typed user code in canonical form: upper case, dashes where Zitadel puts them."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return format_user_code(raw)


@dataclass
class DeviceAuthorization:
    """One device authorization request and its progress."""

    device_code: str
    user_code: str
    client_id: str
    scopes: list[str]
    audience: list[str]
    expires_at: float
    interval: int
    state: DeviceState = "pending"
    user_id: str = ""
    auth_time: int = 0
    amr: list[str] = field(default_factory=list)
    sid: str = ""


class DeviceFlow:
    """Issues device and user codes, records the user's decision, answers polls.

    Example::

        flow = DeviceFlow(IdGenerator(1), Clock())
        auth = flow.start("client@acme", ["openid"], [], lifetime=300, interval=5)
        flow.approve(auth.user_code, user_id="123", auth_time=0, amr=["pwd"], sid="s")
        assert flow.poll(auth.device_code, "client@acme").state == "approved"
    """

    def __init__(self, ids: IdGenerator, clock: Clock) -> None:
        self.ids = ids
        self.clock = clock
        self.requests: dict[str, DeviceAuthorization] = {}

    def clear(self) -> None:
        """Forget every request."""
        self.requests.clear()

    def start(
        self,
        client_id: str,
        scopes: list[str],
        audience: list[str],
        *,
        lifetime: float,
        interval: int,
    ) -> DeviceAuthorization:
        """Create a request with a fresh device code and user code."""
        user_code = format_user_code(self.ids.choice_string(USER_CODE_CHARSET, USER_CODE_LENGTH))
        request = DeviceAuthorization(
            device_code=self.ids.token(16),
            user_code=user_code,
            client_id=client_id,
            scopes=scopes,
            audience=audience,
            expires_at=self.clock.now() + lifetime,
            interval=interval,
        )
        self.requests[request.device_code] = request
        return request

    @staticmethod
    def response(request: DeviceAuthorization, issuer: str, lifetime: float) -> dict[str, Any]:
        """The body of ``/oauth/v2/device_authorization``."""
        uri = issuer + DEVICE_VERIFICATION_PATH
        return {
            "device_code": request.device_code,
            "user_code": request.user_code,
            "verification_uri": uri,
            "verification_uri_complete": f"{uri}?user_code={request.user_code}",
            "expires_in": int(lifetime),
            "interval": request.interval,
        }

    def by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        """The pending, unexpired request with this user code (typed in any case)."""
        wanted = normalize_user_code(user_code)
        now = self.clock.now()
        for request in self.requests.values():
            if request.user_code == wanted and request.state == "pending":
                return request if request.expires_at > now else None
        return None

    def approve(
        self, user_code: str, *, user_id: str, auth_time: int, amr: list[str], sid: str
    ) -> bool:
        """Record that the user approved the request; False if there is no such request."""
        request = self.by_user_code(user_code)
        if request is None:
            return False
        request.state = "approved"
        request.user_id, request.auth_time, request.amr, request.sid = user_id, auth_time, amr, sid
        return True

    def deny(self, user_code: str) -> bool:
        """Record that the user denied the request; False if there is no such request."""
        request = self.by_user_code(user_code)
        if request is None:
            return False
        request.state = "denied"
        return True

    def poll(self, device_code: str, client_id: str) -> DeviceAuthorization:
        """The approved request, once; otherwise the OAuth error Zitadel answers a poll with."""
        request = self.requests.get(device_code)
        if request is None or request.client_id != client_id:
            raise OAuthError("access_denied")
        if request.state == "approved":
            request.state = "done"
            return request
        if request.expires_at <= self.clock.now():
            raise OAuthError("expired_token")
        if request.state == "pending":
            raise OAuthError("authorization_pending")
        raise OAuthError("access_denied")
