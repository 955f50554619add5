"""Subentry flow of an alert target: Telegram, Pushover, the app, any notify."""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigSubentry,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    BooleanSelector,
    ConfigEntrySelector,
    ConfigEntrySelectorConfig,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from .config import (
    AlertCategory,
    TargetKind,
)
from .const import (
    CONF_BOT_ENTRY,
    CONF_CHAT_ID,
    CONF_COMMANDS,
    CONF_RECEIVES,
    CONF_SERVICE,
    CONF_TARGET_KIND,
)
from .subentry_flows import (
    TARGET_SUBENTRIES,
    SubentryFlowBase,
    other_subentries,
    validate_name,
)


class AlertTargetSubentryFlow(SubentryFlowBase):
    """Add or change a place alerts go to."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Telegram, Pushover, the mobile app, or any other notify service."""
        return self.async_show_menu(
            step_id="user", menu_options=[kind.value for kind in TargetKind]
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a target, keeping its kind."""
        kind = TargetKind(self._get_reconfigure_subentry().data[CONF_TARGET_KIND])
        return await self._async_target(kind, None)

    async def async_step_telegram(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A chat of a Telegram bot set up in Home Assistant."""
        return await self._async_target(TargetKind.TELEGRAM, user_input)

    async def async_step_pushover(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pushover's notify action."""
        return await self._async_target(TargetKind.PUSHOVER, user_input)

    async def async_step_mobile_app(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A phone with the Home Assistant app."""
        return await self._async_target(TargetKind.MOBILE_APP, user_input)

    async def async_step_notify(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Any other notify action or notify entity (text only)."""
        return await self._async_target(TargetKind.NOTIFY, user_input)

    async def _async_target(
        self, kind: TargetKind, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input.get(CONF_NAME, "")).strip()
            errors = validate_name(entry, name, editing, TARGET_SUBENTRIES)
            data: dict[str, Any] = {
                CONF_TARGET_KIND: kind.value,
                CONF_RECEIVES: list(user_input.get(CONF_RECEIVES) or []),
            }
            if kind is TargetKind.TELEGRAM:
                errors |= self._telegram(entry, editing, user_input, data)
            else:
                errors |= self._notify_service(kind, user_input, data)
            if not data[CONF_RECEIVES] and not data.get(CONF_COMMANDS):
                errors[CONF_RECEIVES] = "nothing_to_receive"
            if not errors:
                return self._finish(entry, editing, name, data)
        return self.async_show_form(
            step_id=kind.value,
            data_schema=self.add_suggested_values_to_schema(
                self._schema(kind), self._suggested(user_input, editing)
            ),
            errors=errors,
        )

    def _schema(self, kind: TargetKind) -> probatio.Schema:
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(CONF_NAME): TextSelector()
        }
        if kind is TargetKind.TELEGRAM:
            fields[probatio.Required(CONF_BOT_ENTRY)] = ConfigEntrySelector(
                ConfigEntrySelectorConfig(integration="telegram_bot")
            )
            fields[probatio.Required(CONF_CHAT_ID)] = TextSelector()
        else:
            fields[probatio.Required(CONF_SERVICE)] = SelectSelector(
                SelectSelectorConfig(
                    options=self._services_for(kind),
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            )
        fields[probatio.Optional(CONF_RECEIVES)] = SelectSelector(
            SelectSelectorConfig(
                options=[category.value for category in AlertCategory],
                multiple=True,
                mode=SelectSelectorMode.LIST,
                translation_key=CONF_RECEIVES,
            )
        )
        if kind is TargetKind.TELEGRAM:
            fields[probatio.Required(CONF_COMMANDS, default=False)] = BooleanSelector()
        return probatio.Schema(fields)

    def _services_for(self, kind: TargetKind) -> list[str]:
        """The notify actions (and, for text, notify entities) to choose from."""
        names = sorted(self.hass.services.async_services_for_domain("notify"))
        # notify.send_message needs an entity: entities are offered instead.
        services = [f"notify.{n}" for n in names if n != "send_message"]
        if kind is TargetKind.MOBILE_APP:
            return [s for s in services if s.startswith("notify.mobile_app_")]
        if kind is TargetKind.NOTIFY:
            return services + sorted(self.hass.states.async_entity_ids("notify"))
        # Pushover: persistent notifications show no photo and are no pager.
        return [s for s in services if s != "notify.persistent_notification"]

    def _telegram(
        self,
        entry: ConfigEntry,
        editing: ConfigSubentry | None,
        user_input: Mapping[str, Any],
        data: dict[str, Any],
    ) -> dict[str, str]:
        bot_id = user_input.get(CONF_BOT_ENTRY)
        bot = self.hass.config_entries.async_get_entry(bot_id) if bot_id else None
        if bot is None or bot.domain != "telegram_bot":
            return {CONF_BOT_ENTRY: "bot_not_found"}
        try:
            chat_id = int(str(user_input.get(CONF_CHAT_ID, "")).strip())
        except ValueError:
            return {CONF_CHAT_ID: "invalid_chat_id"}
        allowed = {
            int(subentry.data["chat_id"])
            for subentry in bot.subentries.values()
            if "chat_id" in subentry.data
        }
        if chat_id not in allowed:
            return {CONF_CHAT_ID: "chat_not_allowed"}
        if any(
            s.data.get(CONF_CHAT_ID) == chat_id and s.data.get(CONF_BOT_ENTRY) == bot_id
            for s in other_subentries(entry, TARGET_SUBENTRIES, editing)
        ):
            return {CONF_CHAT_ID: "chat_in_use"}
        data |= {
            CONF_BOT_ENTRY: bot_id,
            CONF_CHAT_ID: chat_id,
            CONF_COMMANDS: bool(user_input.get(CONF_COMMANDS)),
        }
        return {}

    def _notify_service(
        self, kind: TargetKind, user_input: Mapping[str, Any], data: dict[str, Any]
    ) -> dict[str, str]:
        service = str(user_input.get(CONF_SERVICE, "")).strip()
        domain, _, name = service.partition(".")
        exists = domain == "notify" and (
            self.hass.services.has_service("notify", name)
            or (kind is TargetKind.NOTIFY and self.hass.states.get(service) is not None)
        )
        if not exists:
            return {CONF_SERVICE: "service_not_found"}
        if kind is TargetKind.MOBILE_APP and not name.startswith("mobile_app_"):
            return {CONF_SERVICE: "not_mobile_app"}
        data[CONF_SERVICE] = service
        return {}
