"""The wall panel over MQTT as configured: its options and its topics.

Off by default. The state topic holds the whole house's state; each area's
state goes to the same topic with the area's slug before its last level
(``rpi_security/state`` -> ``rpi_security/garage/state``), as wall-panel
apps expect. Topics are names, never filters: no ``+``, ``#`` or NUL.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

CONF_MQTT_ENABLED: Final = "mqtt_enabled"
CONF_MQTT_STATE_TOPIC: Final = "mqtt_state_topic"
CONF_MQTT_EVENT_TOPIC: Final = "mqtt_event_topic"
CONF_MQTT_COMMAND_TOPIC: Final = "mqtt_command_topic"
# Arming over MQTT needs a code even where the panel arms without one.
CONF_MQTT_REQUIRE_CODE: Final = "mqtt_require_code"

MQTT_TOPICS: Final = (
    CONF_MQTT_STATE_TOPIC,
    CONF_MQTT_EVENT_TOPIC,
    CONF_MQTT_COMMAND_TOPIC,
)

MQTT_DEFAULT_OPTIONS: Final[dict[str, Any]] = {
    CONF_MQTT_ENABLED: False,
    CONF_MQTT_STATE_TOPIC: "rpi_security/state",
    CONF_MQTT_EVENT_TOPIC: "rpi_security/event",
    CONF_MQTT_COMMAND_TOPIC: "rpi_security/command",
    CONF_MQTT_REQUIRE_CODE: True,
}

# Long enough for any sensible hierarchy; brokers accept up to 64 KiB.
MAX_TOPIC_LENGTH: Final = 200


def topic_is_valid(topic: str) -> bool:
    """Whether ``topic`` can be published and subscribed to as it is."""
    return (
        bool(topic)
        and topic == topic.strip()
        and len(topic.encode()) <= MAX_TOPIC_LENGTH
        and not any(char in topic for char in "+#\0")
        # $SYS/... belongs to the broker.
        and not topic.startswith("$")
    )


def area_topic(state_topic: str, slug: str) -> str:
    """An area's state topic: the slug before the state topic's last level."""
    head, _, last = state_topic.rpartition("/")
    return f"{head}/{slug}/{last}" if head else f"{slug}/{last}"


def topics_clash(state_topic: str, event_topic: str, command_topic: str) -> bool:
    """Whether two topics are one, or the event or command topic is an area's.

    A command topic that hears the events would answer each refusal with
    another, for ever.
    """
    if len({state_topic, event_topic, command_topic}) < 3:
        return True
    head, _, last = state_topic.rpartition("/")
    for topic in (event_topic, command_topic):
        rest, _, topic_last = topic.rpartition("/")
        if topic_last == last and rest.rpartition("/")[0] == head and rest:
            return True
    return False


@dataclass(frozen=True, slots=True)
class WallPanelConfig:
    """Whether wall panels may talk to the alarm over MQTT, and on which topics."""

    enabled: bool = False
    state_topic: str = MQTT_DEFAULT_OPTIONS[CONF_MQTT_STATE_TOPIC]
    event_topic: str = MQTT_DEFAULT_OPTIONS[CONF_MQTT_EVENT_TOPIC]
    command_topic: str = MQTT_DEFAULT_OPTIONS[CONF_MQTT_COMMAND_TOPIC]
    require_code: bool = True

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> WallPanelConfig:
        """Read the entry's options (defaults filled in)."""
        values = {**MQTT_DEFAULT_OPTIONS, **options}
        return cls(
            enabled=bool(values[CONF_MQTT_ENABLED]),
            state_topic=str(values[CONF_MQTT_STATE_TOPIC]),
            event_topic=str(values[CONF_MQTT_EVENT_TOPIC]),
            command_topic=str(values[CONF_MQTT_COMMAND_TOPIC]),
            require_code=bool(values[CONF_MQTT_REQUIRE_CODE]),
        )
