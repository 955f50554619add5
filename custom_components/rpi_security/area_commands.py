"""Commands to one area or to the whole house, through the one gate for codes.

Every way of arming and disarming (an area's panel, the whole-house panel,
``rpi_security.arm`` and ``skip_delay``, Telegram, the app's buttons,
wall panels) comes here: the code and the user's rights are checked once
for every area commanded (:mod:`.access`), then the engine is asked area by
area (:meth:`.engine.areas.House.arm_all`). Areas that refuse are reported
(with the Retry and Arm anyway choices when sensors were in the way) and
named in the error; the areas that could be armed are armed all the same,
so a garage door left open never leaves the house unguarded.
"""

from collections.abc import Collection, Mapping
import time
from typing import TYPE_CHECKING

from homeassistant.core import Context
from homeassistant.exceptions import ServiceValidationError

from .alarm_areas import Area
from .code_log import CodeSource
from .const import DOMAIN
from .engine.access import Action, User
from .engine.alarm import (
    AlarmEvent,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    ArmModeNotEnabledError,
    DisarmFirstError,
)
from .engine.areas import FanOut
from .engine.events import AlarmError, SkipDelayRefusedError

if TYPE_CHECKING:
    from .access import Grant
    from .system import SecuritySystem


class AreasRefusedError(ServiceValidationError):
    """Arming was refused in some areas; ``refusals`` says why, area by area."""

    def __init__(
        self,
        refusals: Mapping[str, AlarmError],
        armed: Collection[str],
        *,
        translation_key: str,
        translation_placeholders: dict[str, str],
    ) -> None:
        """Keep the refusals (area id -> the engine's error) and the areas armed."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders=translation_placeholders,
        )
        self.refusals = dict(refusals)
        self.armed = tuple(armed)


class AreaCommands:
    """Arm, disarm, trigger and skip delays in one area or all of them."""

    def __init__(self, system: SecuritySystem) -> None:
        """Command the areas of ``system``."""
        self._system = system

    def targets(
        self, area: str | None, areas_asked: Collection[str] | None = None
    ) -> list[Area]:
        """The areas a command is for: ``area``, ``areas_asked``, or every one."""
        areas = self._system.areas
        if areas_asked is not None:
            chosen = [a for a in areas if a.id in areas_asked]
            if not chosen:
                raise ServiceValidationError(
                    translation_domain=DOMAIN, translation_key="no_areas"
                )
            return chosen
        if area is None:
            chosen = list(areas)
            if not chosen:
                raise ServiceValidationError(
                    translation_domain=DOMAIN, translation_key="no_areas"
                )
            return chosen
        found = areas.get(area)
        if found is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_area",
                translation_placeholders={"area": area},
            )
        return [found]

    async def _async_authorize(
        self,
        action: Action,
        targets: list[Area],
        *,
        mode: ArmMode | None,
        code: str | None,
        context: Context | None,
        requester: User | None,
        entity_id: str | None,
        source: CodeSource | None,
        code_required: bool = False,
    ) -> Grant:
        system = self._system
        return await system.access.async_authorize(
            action,
            mode=mode,
            code=code,
            requester=requester or system.access.linked_user(context),
            trusted=requester is not None,
            areas=[(area.id, area.name) for area in targets],
            arm_needs_code=code_required
            or any(area.config.code_arm_required for area in targets),
            entity_id=entity_id,
            source=source,
            context=context,
        )

    async def async_arm(
        self,
        mode: ArmMode,
        *,
        area: str | None = None,
        areas: Collection[str] | None = None,
        code: str | None = None,
        force: bool = False,
        bypass: Mapping[str, Collection[str]] | None = None,
        context: Context | None = None,
        requester: User | None = None,
        via: str | None = None,
        entity_id: str | None = None,
        source: CodeSource | None = None,
        code_required: bool = False,
    ) -> list[str]:
        """Arm ``area`` (or ``areas``, or every area) in ``mode``.

        Returns the areas now arming or armed. Raises :class:`AreasRefusedError`
        when an area refused (the others are armed all the same), or the
        gate's error (code, rights). ``code_required``: a code (once a user
        has one) even where the areas arm without (the wall panel's option).
        """
        system = self._system
        targets = self.targets(area, areas)
        grant = await self._async_authorize(
            Action.ARM,
            targets,
            mode=mode,
            code=code,
            context=context,
            requester=requester,
            entity_id=entity_id,
            source=source,
            code_required=code_required,
        )
        changed_by = await system.access.async_who(grant, via, context)
        result = system.areas.arm(
            mode,
            time.time(),
            areas=[target.id for target in targets],
            force=force,
            bypass=bypass,
            changed_by=changed_by,
        )
        if result.events:
            self._by_hand([a for a in targets if a.id in result.done], armed=True)
        system.apply(result.events, context)
        whole_house = area is None and areas is None
        self._report_refusals(mode, result, changed_by, context, whole_house)
        self._report_duress(grant, changed_by, targets, context)
        if result.refused:
            raise self._refused_error(mode, result, targets)
        return result.done

    def _report_refusals(
        self,
        mode: ArmMode,
        result: FanOut,
        changed_by: str | None,
        context: Context | None,
        whole_house: bool,
    ) -> None:
        """Tell of the areas that refused because sensors were in the way."""
        in_the_way = {
            area_id: err
            for area_id, err in result.refused.items()
            if isinstance(err, ArmingRefusedError)
        }
        if in_the_way:
            self._system.reports.arming_refused(
                mode, in_the_way, changed_by, context, whole_house=whole_house
            )

    def _refused_error(
        self, mode: ArmMode, result: FanOut, targets: list[Area]
    ) -> AreasRefusedError:
        system = self._system
        refused, done = result.refused, result.done
        if len(targets) == 1:
            return self._why(next(iter(refused.values())), targets[0], mode, done)
        reasons = []
        for area_id, err in refused.items():
            area = system.areas.get(area_id)
            if area is None:
                continue
            if isinstance(err, ArmingRefusedError):
                names = ", ".join(system.sensor_name(s) for s in err.sensors)
                reasons.append(f"{area.name} ({names})")
            else:
                reasons.append(area.name)
        armed = [a.name for a in targets if a.id in done]
        if not armed:
            return AreasRefusedError(
                refused,
                done,
                translation_key="no_area_armed",
                translation_placeholders={"refused": "; ".join(reasons)},
            )
        return AreasRefusedError(
            refused,
            done,
            translation_key="areas_refused",
            translation_placeholders={
                "refused": "; ".join(reasons),
                "armed": ", ".join(armed),
            },
        )

    def _why(
        self, err: AlarmError, area: Area, mode: ArmMode, done: list[str]
    ) -> AreasRefusedError:
        """One area's refusal, in words."""
        refused = {area.id: err}
        if isinstance(err, ArmingRefusedError):
            names = ", ".join(self._system.sensor_name(s) for s in err.sensors)
            return AreasRefusedError(
                refused,
                done,
                translation_key="doors_open",
                translation_placeholders={"doors": names, "area": area.name},
            )
        if isinstance(err, ArmModeNotEnabledError):
            return AreasRefusedError(
                refused,
                done,
                translation_key="arm_mode_not_enabled",
                translation_placeholders={"mode": mode.value, "area": area.name},
            )
        if isinstance(err, DisarmFirstError):
            return AreasRefusedError(
                refused,
                done,
                translation_key="disarm_first",
                translation_placeholders={
                    "state": area.machine.state.value,
                    "area": area.name,
                },
            )
        return AreasRefusedError(
            refused,
            done,
            translation_key="arming_failed",
            translation_placeholders={"area": area.name},
        )

    async def async_disarm(
        self,
        *,
        area: str | None = None,
        code: str | None = None,
        context: Context | None = None,
        requester: User | None = None,
        via: str | None = None,
        entity_id: str | None = None,
        source: CodeSource | None = None,
    ) -> None:
        """Disarm ``area`` (or every area); a user's code when any user has one.

        A ``requester`` known through ``via`` (Telegram, the app's Disarm
        button) may disarm without a code if their user allows it.
        """
        system = self._system
        targets = self.targets(area)
        grant = await self._async_authorize(
            Action.DISARM,
            targets,
            mode=None,
            code=code,
            context=context,
            requester=requester,
            entity_id=entity_id,
            source=source,
        )
        changed_by = await system.access.async_who(grant, via, context)
        self._by_hand(targets, armed=False)
        result = system.areas.disarm(
            time.time(), areas=[t.id for t in targets], changed_by=changed_by
        )
        system.apply(result.events, context)
        system.save()
        self._report_duress(grant, changed_by, targets, context)

    async def async_trigger(
        self, *, area: str | None = None, context: Context | None = None
    ) -> None:
        """Set off the alarm of ``area`` (or of every area) at once."""
        system = self._system
        targets = self.targets(area)
        changed_by = await system.access.async_changed_by(context)
        now = time.time()
        events: list[AlarmEvent] = []
        for target in targets:
            events += target.machine.trigger(now, changed_by=changed_by)
        system.apply(events, context)

    async def async_skip_delay(
        self,
        *,
        area: str | None = None,
        code: str | None = None,
        context: Context | None = None,
        entity_id: str | None = None,
        source: CodeSource | None = None,
    ) -> None:
        """End the exit delay now, in ``area`` (or every area arming).

        The entry delay cannot be skipped: only disarming ends it.
        """
        system = self._system
        targets = self.targets(area)
        arming = [t for t in targets if t.machine.state is AlarmState.ARMING]
        if not arming:
            if any(t.machine.state is AlarmState.PENDING for t in targets):
                raise ServiceValidationError(
                    translation_domain=DOMAIN, translation_key="skip_entry_delay"
                )
            name = targets[0].name if len(targets) == 1 else system.config.name
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="no_delay_to_skip",
                translation_placeholders={"area": name},
            )
        grant = await self._async_authorize(
            Action.ARM,
            arming,
            mode=arming[0].machine.armed_mode,
            code=code,
            context=context,
            requester=None,
            entity_id=entity_id,
            source=source,
        )
        changed_by = await system.access.async_who(grant, None, context)
        now = time.time()
        events: list[AlarmEvent] = []
        for target in arming:
            try:
                events += target.machine.skip_delay(now, changed_by=changed_by)
            except SkipDelayRefusedError:
                continue  # it stopped arming meanwhile
        system.apply(events, context)

    def _by_hand(self, areas: list[Area], *, armed: bool) -> None:
        """Someone armed or disarmed ``areas``: presence hears of it."""
        system = self._system
        if any(area.config.presence_controls for area in areas):
            if armed:
                system.auto_arm.armed(by_presence=False)
            else:
                system.auto_arm.disarmed()
        if system.arming is not None:
            system.arming.by_hand()

    def _report_duress(
        self,
        grant: Grant,
        who: str | None,
        targets: list[Area],
        context: Context | None,
    ) -> None:
        system = self._system
        entity_id = targets[0].panel_entity_id if len(targets) == 1 else None
        state = (
            system.areas.state.state if len(targets) > 1 else targets[0].machine.state
        )
        system.access.report_duress(grant, who, state, context, entity_id)
