"""Repair issues: problems a user has to fix outside Home Assistant."""

from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .hardware.camera import CameraProblem
from .hardware.gpio import GpioProblem
from .hardware.network import NetworkProblem, NetworkUnavailableError
from .inputs import GpioSensorInput

TROUBLESHOOTING_URL = "https://github.com/rpi-security/ha-rpi-security#troubleshooting"


# The issues of each part, by id: one per kind of problem.
GPIO_ISSUES = tuple(f"gpio_{p.value}" for p in GpioProblem)
PRESENCE_ISSUES = tuple(f"presence_{p.value}" for p in NetworkProblem)
# The stored state could not be read (see restore.py).
ISSUE_STORAGE_DAMAGED = "storage_damaged"
ISSUE_TELEGRAM_NO_USERS = "telegram_commands_without_users"
# Every area was removed: nothing guards.
ISSUE_NO_AREAS = "no_areas"
CAMERA_ISSUES = (
    *(f"camera_{p.value}" for p in CameraProblem),
    "camera_disk_full",
    "camera_write_failed",
)
# Per phone (the id ends with the phone's subentry id).
PHONE_QUIET = "phone_quiet"
PHONE_NEW_ADDRESS = "phone_new_address"
PHONE_ISSUES = (PHONE_QUIET, PHONE_NEW_ADDRESS)
# Sirens whose pin cannot be used; the wall panel on while MQTT is not set up.
ISSUE_SIREN_UNAVAILABLE = "siren_unavailable"
ISSUE_WALL_PANEL_NO_MQTT = "wall_panel_no_mqtt"


@callback
def async_report_gpio_problems(
    hass: HomeAssistant, problems: Mapping[GpioProblem, Sequence[GpioSensorInput]]
) -> None:
    """Raise one issue per kind of GPIO problem; clear the ones that are gone."""
    wanted: dict[str, dict[str, str]] = {}
    for problem, inputs in problems.items():
        if inputs:
            wanted[f"gpio_{problem.value}"] = {
                "sensors": ", ".join(
                    f"{i.config.name} (GPIO{i.config.pin})" for i in inputs
                ),
                "detail": inputs[0].error.detail if inputs[0].error else "",
            }
    _async_sync_issues(hass, GPIO_ISSUES, wanted, ir.IssueSeverity.ERROR)


@callback
def async_report_presence_problems[Part: StrEnum](
    hass: HomeAssistant, problems: Mapping[Part, NetworkUnavailableError]
) -> None:
    """Raise one issue per kind of network problem; clear the ones that are gone."""
    wanted: dict[str, dict[str, str]] = {}
    for problem in NetworkProblem:
        parts = [part for part, err in problems.items() if err.problem is problem]
        if parts:
            wanted[f"presence_{problem.value}"] = {
                "parts": ", ".join(part.value for part in parts),
                "detail": problems[parts[0]].detail,
            }
    _async_sync_issues(hass, PRESENCE_ISSUES, wanted, ir.IssueSeverity.WARNING)


@callback
def async_report_camera_problems[Part: StrEnum](
    hass: HomeAssistant,
    problems: Mapping[Part, str],
    camera_problem: CameraProblem | None,
) -> None:
    """Raise the issues of the camera's current problems; clear the rest."""
    wanted: dict[str, dict[str, str]] = {}
    for part, detail in problems.items():
        if part.value == "disk":
            wanted["camera_disk_full"] = {"detail": detail}
        elif part.value == "write":
            wanted["camera_write_failed"] = {"detail": detail}
        elif camera_problem is not None:
            wanted[f"camera_{camera_problem.value}"] = {"detail": detail}
    _async_sync_issues(hass, CAMERA_ISSUES, wanted, ir.IssueSeverity.WARNING)


@callback
def async_report_phone_issues(
    hass: HomeAssistant,
    entry_id: str,
    phones: Mapping[str, str],
    quiet: Collection[str],
    new_address: Collection[str],
) -> None:
    """Raise an issue per phone gone quiet or found at a new address; clear the rest.

    ``phones`` maps every phone's subentry id to its name; the issues of a
    phone removed since are cleared too.
    """
    registry = ir.async_get(hass)
    for domain, issue_id in list(registry.issues):
        issue = registry.issues[domain, issue_id]
        if (
            domain == DOMAIN
            and issue_id.startswith(PHONE_ISSUES)
            and issue.data is not None
            and issue.data.get("entry_id") == entry_id
            and issue.data.get("phone_id") not in phones
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    for phone_id, name in phones.items():
        for kind, raised in ((PHONE_QUIET, quiet), (PHONE_NEW_ADDRESS, new_address)):
            issue_id = f"{kind}_{phone_id}"
            if phone_id not in raised:
                ir.async_delete_issue(hass, DOMAIN, issue_id)
                continue
            ir.async_create_issue(
                hass,
                DOMAIN,
                issue_id,
                # Ids only: the fix flow finds the new address in the running system.
                data={"entry_id": entry_id, "phone_id": phone_id},
                is_fixable=kind == PHONE_NEW_ADDRESS,
                severity=ir.IssueSeverity.WARNING,
                learn_more_url=TROUBLESHOOTING_URL,
                translation_key=kind,
                translation_placeholders={"phone": name},
            )


@callback
def async_clear_issues(hass: HomeAssistant) -> None:
    """Remove every issue this integration raised (the entry is gone)."""
    for issue_id in (
        *GPIO_ISSUES,
        *PRESENCE_ISSUES,
        *CAMERA_ISSUES,
        ISSUE_STORAGE_DAMAGED,
        ISSUE_TELEGRAM_NO_USERS,
        ISSUE_NO_AREAS,
        ISSUE_SIREN_UNAVAILABLE,
        ISSUE_WALL_PANEL_NO_MQTT,
    ):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
    registry = ir.async_get(hass)
    for domain, issue_id in list(registry.issues):
        if domain == DOMAIN and issue_id.startswith(PHONE_ISSUES):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


@callback
def async_report_telegram_users(
    hass: HomeAssistant, command_chats: Sequence[str], users_with_ids: int
) -> None:
    """Commands are allowed from chats, but no enabled user has a Telegram id.

    Commands are obeyed only from users of the system (by Telegram id): after
    an update from a version that checked only the chat, or when the ids were
    forgotten, every command would be ignored without this notice.
    """
    wanted = {}
    if command_chats and not users_with_ids:
        wanted[ISSUE_TELEGRAM_NO_USERS] = {"chats": ", ".join(command_chats)}
    _async_sync_issues(
        hass, (ISSUE_TELEGRAM_NO_USERS,), wanted, ir.IssueSeverity.WARNING
    )


@callback
def async_report_no_areas(hass: HomeAssistant, no_areas: bool) -> None:
    """Every area was removed: the sensors are shown, but nothing guards."""
    wanted: dict[str, dict[str, str]] = {ISSUE_NO_AREAS: {}} if no_areas else {}
    _async_sync_issues(hass, (ISSUE_NO_AREAS,), wanted, ir.IssueSeverity.ERROR)


@callback
def async_report_siren_problems(hass: HomeAssistant, failed: Mapping[str, str]) -> None:
    """The sirens whose pin cannot be used ("Name (GPIOn)" -> why), or none."""
    wanted = {}
    if failed:
        wanted[ISSUE_SIREN_UNAVAILABLE] = {
            "sirens": ", ".join(failed),
            "detail": next(iter(failed.values())),
        }
    _async_sync_issues(hass, (ISSUE_SIREN_UNAVAILABLE,), wanted, ir.IssueSeverity.ERROR)


@callback
def async_report_wall_panel_mqtt(hass: HomeAssistant, *, missing: bool) -> None:
    """The wall panel is on, but Home Assistant's MQTT integration is not set up."""
    wanted: dict[str, dict[str, str]] = (
        {ISSUE_WALL_PANEL_NO_MQTT: {}} if missing else {}
    )
    _async_sync_issues(
        hass, (ISSUE_WALL_PANEL_NO_MQTT,), wanted, ir.IssueSeverity.WARNING
    )


@callback
def _async_sync_issues(
    hass: HomeAssistant,
    family: Sequence[str],
    wanted: Mapping[str, dict[str, str]],
    severity: ir.IssueSeverity,
) -> None:
    """Raise the ``wanted`` issues (id -> placeholders) of a family; clear the rest."""
    for issue_id in family:
        if (placeholders := wanted.get(issue_id)) is None:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=severity,
            learn_more_url=TROUBLESHOOTING_URL,
            translation_key=issue_id,
            translation_placeholders=placeholders,
        )
