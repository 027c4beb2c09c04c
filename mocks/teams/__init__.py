"""MockTeams: the Microsoft Teams channel and Bot Framework connector, wire-faithful.

The package is split by concern: ids (`_ids`), the channel's keys and the Entra ID keys
(`_keys`), the channel's token variants and the bot's access tokens (`_tokens`), the token
endpoint (`_aad`), error bodies (`_errors`), the tenant's users, teams and conversations
(`_directory`), the channel's activities (`_activities`), the connector's behaviour
(`_connector`), card text and the transcript (`_cards`, `_transcript`), the bot's answers
(`_answers`), the object tying them together (`_service`); then the HTTP side: routes
(`_endpoints`), posting to the bot (`_channel`), the admin API (`_admin`), conversations
(`_conversation`), each mock scope's bot (`_scopes`), the mock (`_mock`) and the optional
botbuilder wiring (`_botbuilder`).
"""

from ._answers import BotAnswer
from ._conversation import TeamsConversation
from ._directory import Account, Conversation, Team
from ._errors import ConnectorError
from ._mock import MockTeams, ReplyExpectation
from ._scopes import ScopedBot
from ._tokens import TokenVariant
from ._transcript import TranscriptEntry
from ._wiring import bot_framework_authentication

__all__ = [
    "Account",
    "BotAnswer",
    "ConnectorError",
    "Conversation",
    "MockTeams",
    "ReplyExpectation",
    "ScopedBot",
    "Team",
    "TeamsConversation",
    "TokenVariant",
    "TranscriptEntry",
    "bot_framework_authentication",
]
