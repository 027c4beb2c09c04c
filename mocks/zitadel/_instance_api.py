"""Instance settings through the v2 APIs: feature flags and the security policy.

``zitadel.feature.v2.FeatureService`` switches Zitadel's feature flags the mock honours
(token exchange, back-channel logout, login V2); ``zitadel.settings.v2.SettingsService``
sets the security policy (impersonation). A test, or the system under test, flips them
exactly as it would on a real instance.
"""

from __future__ import annotations

from typing import Any

from ._api import Rpc, get, invalid_argument, message, object_details
from ._errors import ZitadelError
from ._http import HttpRequest
from ._state import State

FEATURE_SERVICE = "zitadel.feature.v2.FeatureService"
IFRAME_UNSUPPORTED = ZitadelError(
    "unimplemented", "MOCK-1fr4m", "the mock's login pages are never allowed in frames"
)
SETTINGS_SERVICE = "zitadel.settings.v2.SettingsService"


class InstanceApi:
    """Get/SetInstanceFeatures and Get/SetSecuritySettings."""

    def __init__(self, state: State) -> None:
        self.state = state

    def rpcs(self) -> list[Rpc]:
        """The methods and their REST routes."""
        features, security = "/v2/features/instance", "/v2/policies/security"
        return [
            Rpc(FEATURE_SERVICE, "GetInstanceFeatures", self.get_features, ("GET", features)),
            Rpc(FEATURE_SERVICE, "SetInstanceFeatures", self.set_features, ("PUT", features)),
            Rpc(SETTINGS_SERVICE, "GetSecuritySettings", self.get_security, ("GET", security)),
            Rpc(SETTINGS_SERVICE, "SetSecuritySettings", self.set_security, ("PUT", security)),
        ]

    def _details(self) -> dict[str, Any]:
        directory = self.state.directory
        return object_details(1, self.state.clock.now(), directory.default_org_id)

    @staticmethod
    def _flag(body: dict[str, Any], name: str) -> bool | None:
        value = get(body, name)
        if value is not None and not isinstance(value, bool):
            raise invalid_argument(name)
        return value

    def set_features(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """SetInstanceFeatures: the flags given change, the others stay."""
        features = self.state.directory.features
        exchange = self._flag(body, "oidcTokenExchange")
        back_channel = self._flag(body, "enableBackChannelLogout")
        login_v2 = get(body, "loginV2")
        if login_v2 is not None and not isinstance(login_v2, dict):
            raise invalid_argument("loginV2")
        required = self._flag(login_v2 or {}, "required")
        if exchange is not None:
            features.token_exchange = exchange
        if back_channel is not None:
            features.back_channel_logout = back_channel
        if required is not None:
            features.login_v2_required = required
        if login_v2 is not None and get(login_v2, "baseUri") is not None:
            features.login_v2_base_uri = str(get(login_v2, "baseUri")) or None
        return {"details": self._details()}

    def get_features(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """GetInstanceFeatures: the flags the mock honours, as set on the instance."""
        features = self.state.directory.features

        def flag(enabled: bool) -> dict[str, Any]:
            return {"enabled": enabled, "source": "SOURCE_INSTANCE"}

        login_v2: dict[str, Any] = {"required": features.login_v2_required}
        if features.login_v2_base_uri:
            login_v2["baseUri"] = features.login_v2_base_uri
        return {
            "details": self._details(),
            "oidcTokenExchange": flag(features.token_exchange),
            "enableBackChannelLogout": flag(features.back_channel_logout),
            "loginV2": {**login_v2, "source": "SOURCE_INSTANCE"},
        }

    def set_security(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """SetSecuritySettings: impersonation on or off."""
        impersonation = self._flag(body, "enableImpersonation")
        if impersonation is not None:
            self.state.directory.security.impersonation = impersonation
        if get(message(body, "embeddedIframe"), "enabled"):
            raise IFRAME_UNSUPPORTED
        return {"details": self._details()}

    def get_security(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """GetSecuritySettings."""
        return {
            "details": self._details(),
            "settings": {
                "embeddedIframe": {"enabled": False, "allowedOrigins": []},
                "enableImpersonation": self.state.directory.security.impersonation,
            },
        }
