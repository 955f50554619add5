"""Subentry flow of a user: a name, codes, rights, linked accounts.

Codes are stored as salted hashes only. Every code (and duress code) must
differ from every other user's: checked against each stored hash, in the
executor, as the hashing is slow on purpose.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from homeassistant.config_entries import ConfigSubentry, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from .area_config import area_subentries
from .config import CodeFormat
from .const import (
    CONF_AREAS,
    CONF_ARM_MODES,
    CONF_CAN_ARM,
    CONF_CAN_DISARM,
    CONF_CLEAR_CODE,
    CONF_CLEAR_DURESS,
    CONF_CODE,
    CONF_CODE_FORMAT,
    CONF_CODE_HASH,
    CONF_DISARM_WITHOUT_CODE,
    CONF_DURESS_CODE,
    CONF_DURESS_HASH,
    CONF_ENABLED,
    CONF_HA_USER,
    CONF_TELEGRAM_IDS,
    SUBENTRY_USER,
)
from .engine.access import code_in_use
from .engine.alarm import ArmMode
from .engine.codes import MIN_CODE_LENGTH, hash_code, is_numeric
from .subentry_flows import SubentryFlowBase, other_subentries, validate_name

USER_SUBENTRIES = (SUBENTRY_USER,)


def parse_telegram_ids(text: str) -> list[int]:
    """``"123, 456"`` -> ``[123, 456]``; ``ValueError`` for anything else."""
    ids = [int(part) for part in text.replace(",", " ").split()]
    if any(number <= 0 for number in ids):
        raise ValueError("Telegram user ids are positive")
    return ids


class UserSubentryFlow(SubentryFlowBase):
    """Add or change a user of the alarm."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Name, codes, what the user may do, and their accounts."""
        entry = self._get_entry()
        editing = self._editing()
        others = other_subentries(entry, USER_SUBENTRIES, editing)
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input.get(CONF_NAME, "")).strip()
            errors = validate_name(entry, name, editing, USER_SUBENTRIES)
            data = self._rights(user_input, others, errors)
            codes = await self._async_codes(user_input, editing, others, errors)
            if not errors:
                return self._finish(entry, editing, name, {**data, **codes})
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                await self._async_schema(editing),
                _shown(user_input, editing),
            ),
            errors=errors,
        )

    async_step_reconfigure = async_step_user

    def _rights(
        self,
        values: Mapping[str, Any],
        others: list[ConfigSubentry],
        errors: dict[str, str],
    ) -> dict[str, Any]:
        """What the user may do and the accounts that are theirs."""
        telegram_ids: list[int] = []
        try:
            telegram_ids = parse_telegram_ids(str(values.get(CONF_TELEGRAM_IDS) or ""))
        except ValueError:
            errors[CONF_TELEGRAM_IDS] = "invalid_telegram_ids"
        taken = {i for s in others for i in s.data.get(CONF_TELEGRAM_IDS) or ()}
        if taken & set(telegram_ids):
            errors[CONF_TELEGRAM_IDS] = "telegram_id_in_use"
        ha_user = values.get(CONF_HA_USER) or None
        if ha_user and any(s.data.get(CONF_HA_USER) == ha_user for s in others):
            errors[CONF_HA_USER] = "ha_user_in_use"
        if values.get(CONF_DISARM_WITHOUT_CODE) and not values.get(CONF_CAN_DISARM):
            errors[CONF_DISARM_WITHOUT_CODE] = "disarm_without_code_needs_disarm"
        return {
            CONF_CAN_ARM: bool(values.get(CONF_CAN_ARM)),
            CONF_ARM_MODES: list(values.get(CONF_ARM_MODES) or []),
            CONF_CAN_DISARM: bool(values.get(CONF_CAN_DISARM)),
            CONF_DISARM_WITHOUT_CODE: bool(values.get(CONF_DISARM_WITHOUT_CODE)),
            CONF_HA_USER: ha_user,
            CONF_TELEGRAM_IDS: telegram_ids,
            CONF_ENABLED: bool(values.get(CONF_ENABLED, True)),
            CONF_AREAS: list(values.get(CONF_AREAS) or []),
        }

    async def _async_codes(
        self,
        values: Mapping[str, Any],
        editing: ConfigSubentry | None,
        others: list[ConfigSubentry],
        errors: dict[str, str],
    ) -> dict[str, Any]:
        """The hashes to store: new codes hashed, kept ones as they were."""
        kept = dict(editing.data) if editing else {}
        code = str(values.get(CONF_CODE) or "")
        duress = str(values.get(CONF_DURESS_CODE) or "")
        for key, value in ((CONF_CODE, code), (CONF_DURESS_CODE, duress)):
            if value and len(value) < MIN_CODE_LENGTH:
                errors[key] = "code_too_short"
        if code and duress and code == duress:
            errors[CONF_DURESS_CODE] = "duress_same_as_code"
        keep_code = not code and not values.get(CONF_CLEAR_CODE)
        keep_duress = not duress and not values.get(CONF_CLEAR_DURESS)
        if errors:
            return {}
        # Unique: against every other user's codes, and this user's other one.
        hashes: list[str] = [
            stored
            for subentry in others
            for stored in (
                subentry.data.get(CONF_CODE_HASH),
                subentry.data.get(CONF_DURESS_HASH),
            )
            if stored
        ]
        for key, value, own_other in (
            (CONF_CODE, code, CONF_DURESS_HASH if keep_duress else None),
            (CONF_DURESS_CODE, duress, CONF_CODE_HASH if keep_code else None),
        ):
            if not value:
                continue
            mine = [kept[own_other]] if own_other and kept.get(own_other) else []
            in_use: bool = await self.hass.async_add_executor_job(
                code_in_use, value, [*hashes, *mine]
            )
            if in_use:
                errors[key] = "code_in_use"
        if errors:
            return {}
        code_hash = (
            kept.get(CONF_CODE_HASH) if keep_code else await self._async_hash(code)
        )
        duress_hash = (
            kept.get(CONF_DURESS_HASH)
            if keep_duress
            else await self._async_hash(duress)
        )
        numeric = all(is_numeric(v) for v in (code, duress) if v) and (
            not (keep_code or keep_duress)
            or kept.get(CONF_CODE_FORMAT, CodeFormat.NUMBER) == CodeFormat.NUMBER
        )
        return {
            CONF_CODE_HASH: code_hash,
            CONF_DURESS_HASH: duress_hash,
            CONF_CODE_FORMAT: (CodeFormat.NUMBER if numeric else CodeFormat.TEXT).value,
        }

    async def _async_hash(self, code: str) -> str | None:
        if not code:
            return None
        return await self.hass.async_add_executor_job(hash_code, code)

    async def _async_schema(self, editing: ConfigSubentry | None) -> probatio.Schema:
        users = [
            SelectOptionDict(value=user.id, label=user.name or user.id)
            for user in await self.hass.auth.async_get_users()
            if user.is_active and not user.system_generated
        ]
        password = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Optional(CONF_CODE): password,
        }
        if editing is not None:
            fields[probatio.Optional(CONF_CLEAR_CODE, default=False)] = (
                BooleanSelector()
            )
        fields[probatio.Optional(CONF_DURESS_CODE)] = password
        if editing is not None:
            fields[probatio.Optional(CONF_CLEAR_DURESS, default=False)] = (
                BooleanSelector()
            )
        fields |= {
            probatio.Required(CONF_CAN_ARM, default=True): BooleanSelector(),
            probatio.Optional(CONF_ARM_MODES): SelectSelector(
                SelectSelectorConfig(
                    options=[mode.value for mode in ArmMode],
                    multiple=True,
                    mode=SelectSelectorMode.LIST,
                    translation_key=CONF_ARM_MODES,
                )
            ),
            probatio.Required(CONF_CAN_DISARM, default=True): BooleanSelector(),
            probatio.Required(
                CONF_DISARM_WITHOUT_CODE, default=False
            ): BooleanSelector(),
            probatio.Optional(CONF_HA_USER): SelectSelector(
                SelectSelectorConfig(options=users, mode=SelectSelectorMode.DROPDOWN)
            ),
            probatio.Optional(CONF_TELEGRAM_IDS): TextSelector(),
            probatio.Required(CONF_ENABLED, default=True): BooleanSelector(),
        }
        if len(areas := area_subentries(self._get_entry())) > 1:
            fields[probatio.Optional(CONF_AREAS)] = SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=a.subentry_id, label=a.title)
                        for a in areas
                    ],
                    multiple=True,
                    mode=SelectSelectorMode.LIST,
                )
            )
        return probatio.Schema(fields)


def _shown(
    user_input: Mapping[str, Any] | None, editing: ConfigSubentry | None
) -> dict[str, Any]:
    """What the form shows: never a code or a hash."""
    if user_input:
        shown = dict(user_input)
    elif editing:
        shown = {CONF_NAME: editing.title, **editing.data}
    else:
        return {}
    for key in (CONF_CODE, CONF_DURESS_CODE, CONF_CODE_HASH, CONF_DURESS_HASH):
        shown.pop(key, None)
    ids: Iterable[Any] | str = shown.get(CONF_TELEGRAM_IDS) or ""
    if not isinstance(ids, str):
        ids = ", ".join(str(i) for i in ids)
    shown[CONF_TELEGRAM_IDS] = ids
    return {key: value for key, value in shown.items() if value is not None}
