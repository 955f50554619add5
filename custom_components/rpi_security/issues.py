"""Repair issues: problems a user has to fix outside Home Assistant."""

from collections.abc import Mapping, Sequence
from enum import StrEnum

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .hardware.camera import CameraProblem
from .hardware.gpio import GpioProblem
from .hardware.network import NetworkProblem, NetworkUnavailableError
from .inputs import GpioSensorInput

TROUBLESHOOTING_URL = "https://github.com/rpi-security/ha-rpi-security#troubleshooting"


@callback
def async_report_gpio_problems(
    hass: HomeAssistant, problems: Mapping[GpioProblem, Sequence[GpioSensorInput]]
) -> None:
    """Raise one issue per kind of GPIO problem; clear the ones that are gone."""
    for problem in GpioProblem:
        issue_id = f"gpio_{problem.value}"
        inputs = problems.get(problem)
        if not inputs:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            learn_more_url=TROUBLESHOOTING_URL,
            translation_key=issue_id,
            translation_placeholders={
                "sensors": ", ".join(
                    f"{i.config.name} (GPIO{i.config.pin})" for i in inputs
                ),
                "detail": inputs[0].error.detail if inputs[0].error else "",
            },
        )


@callback
def async_report_presence_problems[Part: StrEnum](
    hass: HomeAssistant, problems: Mapping[Part, NetworkUnavailableError]
) -> None:
    """Raise one issue per kind of network problem; clear the ones that are gone."""
    for problem in NetworkProblem:
        issue_id = f"presence_{problem.value}"
        parts = [part for part, err in problems.items() if err.problem is problem]
        if not parts:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            learn_more_url=TROUBLESHOOTING_URL,
            translation_key=issue_id,
            translation_placeholders={
                "parts": ", ".join(part.value for part in parts),
                "detail": problems[parts[0]].detail,
            },
        )


# The camera's repair issues: one per kind of camera problem, and a full disk.
CAMERA_ISSUES = (*(f"camera_{p.value}" for p in CameraProblem), "camera_disk_full")


@callback
def async_report_camera_problems[Part: StrEnum](
    hass: HomeAssistant,
    problems: Mapping[Part, str],
    camera_problem: CameraProblem | None,
) -> None:
    """Raise the issues of the camera's current problems; clear the rest."""
    wanted: dict[str, str] = {}
    for part, detail in problems.items():
        if part.value == "disk":
            wanted["camera_disk_full"] = detail
        elif camera_problem is not None:
            wanted[f"camera_{camera_problem.value}"] = detail
    for issue_id in CAMERA_ISSUES:
        if issue_id not in wanted:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            learn_more_url=TROUBLESHOOTING_URL,
            translation_key=issue_id,
            translation_placeholders={"detail": wanted[issue_id]},
        )


@callback
def async_clear_issues(hass: HomeAssistant) -> None:
    """Remove every issue this integration raised (the entry is gone)."""
    for problem in GpioProblem:
        ir.async_delete_issue(hass, DOMAIN, f"gpio_{problem.value}")
    for network_problem in NetworkProblem:
        ir.async_delete_issue(hass, DOMAIN, f"presence_{network_problem.value}")
    for issue_id in CAMERA_ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
