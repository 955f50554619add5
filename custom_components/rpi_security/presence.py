"""Presence: phones found on the network, and Home Assistant presence entities.

Frames and ARP answers come from the network layer (live sockets, or the
simulated twin); persons and trackers from Home Assistant's state machine,
as occupants of their own or as a phone's corroborating source. The engine's
tracker decides who is home; every change is handed on (the automatic arming
decides what it means for the alarm). Phones that went quiet for good, or
turned up with a new private address, are reported as repair issues.
"""

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime, timedelta
import logging
import math
import time
from typing import Any

from homeassistant.components.device_tracker.const import ATTR_IN_ZONES
from homeassistant.components.zone import ENTITY_ID_HOME as HOME_ZONE
from homeassistant.const import STATE_HOME, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from .clock import track_at
from .config import PhoneConfig, SystemConfig
from .engine.alarm import SensorKind
from .engine.presence import (
    Detection,
    Occupant,
    Presence,
    PresenceChange,
    PresenceTracker,
)
from .hardware.frames import FrameKind
from .hardware.network import NetworkUnavailableError, mac_bytes, mac_text
from .issues import async_report_phone_issues
from .presence_network import LiveNetwork, NetworkPart, SimulatedPhones

_LOGGER = logging.getLogger(__name__)

DETECTION_OF_FRAME = {
    FrameKind.PROBE_REQUEST: Detection.PROBE_REQUEST,
    FrameKind.ASSOCIATION: Detection.ASSOCIATION,
    FrameKind.FRAME: Detection.FRAME,
    FrameKind.MULTICAST: Detection.MULTICAST,
    FrameKind.DHCP: Detection.DHCP,
    FrameKind.LINK_UP: Detection.LINK_UP,
    # A frame the phone sent by itself, ARP included (an answer to us comes
    # through the confirmation round).
    FrameKind.ARP: Detection.FRAME,
}
# A phone's entity is refreshed at most this often while nothing changes.
LAST_SEEN_REFRESH = 60.0
# Simulated phones get addresses from TEST-NET-1.
SIMULATED_SUBNET = "192.0.2."
# A phone is asked for every address of the /24 at most this often (its IP
# may have changed); away phones only while their IP is unknown.
SWEEP_EVERY = 30 * 60.0
# Night, for stricter rules: from this hour to that (local time).
NIGHT_STARTS, NIGHT_ENDS = 23, 6
# How often quiet phones are looked for.
QUIET_CHECK = timedelta(hours=1)


def home_of(state: State | None) -> bool | None:
    """What a person or device_tracker state says: home, away, or nothing.

    Home is the home zone, or any zone inside it (``in_zones`` names the
    zones a tracker is in); ``not_home`` or another zone is away.
    """
    if state is None or state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE):
        return None
    if state.state == STATE_HOME:
        return True
    in_zones = state.attributes.get(ATTR_IN_ZONES)
    return isinstance(in_zones, list) and HOME_ZONE in in_zones


def is_night(timestamp: float) -> bool:
    """Whether ``timestamp`` falls in the night, Home Assistant's local time."""
    if not math.isfinite(timestamp):
        return False
    hour = dt_util.as_local(dt_util.utc_from_timestamp(timestamp)).hour
    return hour >= NIGHT_STARTS or hour < NIGHT_ENDS


class PresenceMonitor:
    """Who is home, kept up to date from the network and from presence entities."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        config: SystemConfig,
        *,
        notify: Callable[[str], None],
        on_changes: Callable[[list[PresenceChange]], None],
        on_health: Callable[[], None],
    ) -> None:
        """Prepare the tracker and the network for ``config``'s phones."""
        self._hass = hass
        self._entry_id = entry_id
        self.config = config
        self.tracker = PresenceTracker.for_occupants(
            config.presence.rules,
            (phone.id for phone in config.phones),
            (entity.id for entity in config.presence_entities),
            is_night=is_night,
        )
        self.tracker.watches_doors = any(
            sensor.kind is SensorKind.DOOR for sensor in config.sensors
        )
        self.phones = {phone.id: phone for phone in config.phones}
        self._phone_by_mac = {mac_bytes(p.mac): p for p in config.phones}
        # New private addresses found for phones (by their DHCP host name).
        self._new_address_of: dict[bytes, PhoneConfig] = {}
        self._last_sweep: dict[str, float] = {}
        self._notify = notify
        self._on_changes = on_changes
        self._on_health = on_health
        self._last_notified: dict[str, float] = {}
        self._cancel_deadline: CALLBACK_TYPE | None = None
        self._unsubscribe: list[CALLBACK_TYPE] = []
        # The entity each occupant follows (its own, or its corroborating one).
        self._watching: dict[str, CALLBACK_TYPE] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False
        self.network = self._make_network() if config.phones else None

    def _make_network(self) -> LiveNetwork | SimulatedPhones:
        if self.config.simulation:
            return SimulatedPhones(self._hass, self._frame)
        settings = self.config.presence
        return LiveNetwork(
            self._hass,
            lan_interface=settings.lan_interface,
            monitor_interface=settings.monitor_interface,
            macs=[phone.mac for phone in self.config.phones],
            on_frame=self._frame,
            on_health=self._on_health,
        )

    @property
    def problems(self) -> dict[NetworkPart, NetworkUnavailableError]:
        """The parts of presence detection that do not work now."""
        return self.network.problems if self.network else {}

    def occupant(self, occupant_id: str) -> Occupant:
        """What is known of a phone or presence entity."""
        return self.tracker.occupants[occupant_id]

    def name(self, occupant_id: str) -> str:
        """The name of a phone or presence entity."""
        if (phone := self.phones.get(occupant_id)) is not None:
            return phone.name
        for entity in self.config.presence_entities:
            if entity.id == occupant_id:
                return entity.name
        return occupant_id

    def people_home(self) -> list[str]:
        """The names of the phones and persons that are home."""
        return sorted(
            self.name(o.id)
            for o in self.tracker.occupants.values()
            if o.presence is Presence.HOME
        )

    # -- life cycle ----------------------------------------------------------

    async def async_start(self, stored: Mapping[str, Any] | None) -> None:
        """Take back what was known, start listening, check who is home."""
        now = time.time()
        self.tracker.restore(stored or {}, now)
        for phone in self.config.phones:
            occupant = self.tracker.occupants[phone.id]
            if phone.ip and occupant.ip is None:
                occupant.ip = phone.ip
            if occupant.new_address == phone.mac:
                occupant.new_address = None  # the user took the new address
            if occupant.new_address is not None:
                self._new_address_of[mac_bytes(occupant.new_address)] = phone
        if isinstance(self.network, SimulatedPhones):
            # The simulated world goes on: phones that were home still are.
            for phone in self.config.phones:
                if self.tracker.occupants[phone.id].restored is Presence.HOME:
                    self.simulate(phone.id, True, announce=False)
        for entity in self.config.presence_entities:
            self._watch(entity.entity_id, entity.id, self.tracker.set_presence)
        for phone in self.config.phones:
            if phone.corroborated_by:
                self._watch(phone.corroborated_by, phone.id, self.tracker.corroborate)
        if self.network is not None:
            await self.network.async_start()
            await self._async_listen_for_new_addresses()
        self._unsubscribe.append(
            async_track_time_interval(self._hass, self._check_quiet, QUIET_CHECK)
        )
        self._report_phone_issues(now)
        self._schedule()

    async def async_stop(self) -> None:
        """Stop listening and checking."""
        self._stopped = True
        for unsubscribe in [*self._unsubscribe, *self._watching.values()]:
            unsubscribe()
        self._unsubscribe.clear()
        self._watching.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        if self._cancel_deadline is not None:
            self._cancel_deadline()
            self._cancel_deadline = None
        if self.network is not None:
            await self.network.async_stop()

    def snapshot(self) -> dict[str, Any]:
        """What to keep across a restart."""
        return self.tracker.snapshot()

    async def async_update(self, config: SystemConfig) -> None:
        """Phones, presence entities or settings changed while running.

        Phones and entities that stay keep what is known of them; new ones are
        unknown until heard (so nothing arms meanwhile); removed ones are
        forgotten with their repair issues.
        """
        now = time.time()
        before = self.config
        self.config = config
        self.tracker.rules = config.presence.rules
        self.tracker.watches_doors = any(
            sensor.kind is SensorKind.DOOR for sensor in config.sensors
        )
        phones = {phone.id: phone for phone in config.phones}
        entities = {entity.id: entity for entity in config.presence_entities}
        known = [p.id for p in before.phones] + [e.id for e in before.presence_entities]
        for occupant_id in known:
            if occupant_id not in phones and occupant_id not in entities:
                self._forget(occupant_id)
        for phone in config.phones:
            self._phone_changed(self.phones.get(phone.id), phone, now)
        old_entities = {entity.id: entity for entity in before.presence_entities}
        for entity in config.presence_entities:
            old_entity = old_entities.get(entity.id)
            if old_entity is None:
                self.tracker.add_occupant(entity.id, on_network=False, now=now)
            if old_entity is None or old_entity.entity_id != entity.entity_id:
                self._watch(entity.entity_id, entity.id, self.tracker.set_presence)
        self.phones = phones
        self._phone_by_mac = {mac_bytes(p.mac): p for p in config.phones}
        self._new_address_of = {
            mac: phones[phone.id]
            for mac, phone in self._new_address_of.items()
            if phone.id in phones and mac != mac_bytes(phones[phone.id].mac)
        }
        await self._async_update_network()
        self._report_phone_issues(now)
        self._schedule()

    def _phone_changed(
        self, old: PhoneConfig | None, phone: PhoneConfig, now: float
    ) -> None:
        """A phone added, or changed: its occupant and what follows it."""
        if old is None:
            self.tracker.add_occupant(phone.id, on_network=True, now=now)
        occupant = self.tracker.occupants[phone.id]
        if phone.ip and (old is None or phone.ip != old.ip):
            occupant.ip = phone.ip
        if old is not None and old.mac != phone.mac:
            if occupant.new_address == phone.mac:
                occupant.new_address = None  # the user took the new address
            if isinstance(self.network, SimulatedPhones):
                self.network.network.move(old.mac, phone.mac)
        if old is None or old.corroborated_by != phone.corroborated_by:
            self._unwatch(phone.id)
            occupant.corroborator = None
            if phone.corroborated_by:
                self._watch(phone.corroborated_by, phone.id, self.tracker.corroborate)

    def _forget(self, occupant_id: str) -> None:
        """A phone or presence entity removed."""
        self._unwatch(occupant_id)
        self.tracker.remove_occupant(occupant_id)
        self._last_notified.pop(occupant_id, None)
        self._last_sweep.pop(occupant_id, None)
        phone = self.phones.get(occupant_id)
        if phone is not None and isinstance(self.network, SimulatedPhones):
            self.network.network.set_present(phone.mac, None)

    async def _async_update_network(self) -> None:
        """Open the network with the first phone, close it with the last."""
        if self.config.phones and self.network is None:
            self.network = self._make_network()
            await self.network.async_start()
            self._on_health()
        elif not self.config.phones and self.network is not None:
            network, self.network = self.network, None
            await network.async_stop()
            self._on_health()
        if self.network is not None:
            await self._async_listen_for_new_addresses()

    # -- what happens --------------------------------------------------------

    async def async_probe_arrivals(self) -> None:
        """Ask every phone that is away right now whether it is back."""
        away = [
            p for p in self.tracker.away_phones() if p not in self.tracker.confirming
        ]
        if away and self.network is not None:
            self.tracker.start_confirming(away)
            await self._async_confirm(away, urgent=True)

    @callback
    def changed(self) -> None:
        """Something the rules depend on changed (a door, motion): look again."""
        self._schedule()

    def simulate(self, phone_id: str, present: bool, *, announce: bool = True) -> None:
        """Simulation mode: a phone joins (and answers ARP) or goes silent.

        With ``announce`` false an arriving phone sends nothing by itself and is
        found only by ARP.
        """
        if not isinstance(self.network, SimulatedPhones):
            raise TypeError("phones can only be simulated in simulation mode")
        phone = self.phones[phone_id]
        number = sorted(self.phones).index(phone_id) + 10
        address = phone.ip or f"{SIMULATED_SUBNET}{number}"
        self.network.network.set_present(
            phone.mac, address if present else None, announce=announce
        )

    @callback
    def _frame(
        self, sender: bytes, kind: FrameKind, ip: str | None, hostname: str | None
    ) -> None:
        now = time.time()
        phone = self._phone_by_mac.get(sender)
        if phone is None:
            self._frame_from_elsewhere(sender, kind, ip, hostname, now)
            return
        if hostname is not None:
            self.tracker.occupants[phone.id].hostname = hostname
        change = self.tracker.heard(phone.id, now, DETECTION_OF_FRAME[kind], ip)
        self._heard(phone.id, change, now)

    def _frame_from_elsewhere(
        self,
        sender: bytes,
        kind: FrameKind,
        ip: str | None,
        hostname: str | None,
        now: float,
    ) -> None:
        """A frame from a MAC that is not a phone's: maybe a phone's new one."""
        phone = self._new_address_of.get(sender)
        found = phone is None
        if phone is None:
            if kind is not FrameKind.DHCP or hostname is None:
                return  # (DHCP from anyone passes the filter)
            phone = self._phone_named(hostname)
            if phone is None:
                return
            _LOGGER.warning(
                "%s seems to use a new private Wi-Fi address (same DHCP host name); "
                "it keeps the phone home but does not disarm until its MAC is updated",
                phone.name,
            )
            self._new_address_of[sender] = phone
            self._start(self._async_listen_for_new_addresses())
        change = self.tracker.heard_new_address(phone.id, mac_text(sender), now, ip)
        if found:
            self._report_phone_issues(now)
        self._heard(phone.id, change, now)

    def _phone_named(self, hostname: str) -> PhoneConfig | None:
        """The phone that asked for an address with this DHCP host name before."""
        for phone in self.config.phones:
            if self.tracker.occupants[phone.id].hostname == hostname:
                return phone
        return None

    def _heard(self, phone_id: str, change: PresenceChange | None, now: float) -> None:
        if change is not None:
            self._report([change])
            self._schedule()
        elif now - self._last_notified.get(phone_id, -math.inf) >= LAST_SEEN_REFRESH:
            self._last_notified[phone_id] = now
            self._notify(phone_id)

    async def _async_listen_for_new_addresses(self) -> None:
        if self.network is not None:
            macs = [p.mac for p in self.config.phones]
            macs += [mac_text(mac) for mac in self._new_address_of]
            await self.network.async_listen_for(macs)

    def _watch(
        self,
        entity_id: str,
        occupant_id: str,
        report: Callable[[str, bool | None, float], PresenceChange | None],
    ) -> None:
        """Follow an entity's state into the tracker (now, and on every change)."""

        @callback
        def changed(event: Event[EventStateChangedData]) -> None:
            self._entity_report(occupant_id, event.data["new_state"], report)

        self._unwatch(occupant_id)
        self._watching[occupant_id] = async_track_state_change_event(
            self._hass, entity_id, changed
        )
        self._entity_report(occupant_id, self._hass.states.get(entity_id), report)

    def _unwatch(self, occupant_id: str) -> None:
        if (unsubscribe := self._watching.pop(occupant_id, None)) is not None:
            unsubscribe()

    @callback
    def _entity_report(
        self,
        occupant_id: str,
        state: State | None,
        report: Callable[[str, bool | None, float], PresenceChange | None],
    ) -> None:
        change = report(occupant_id, home_of(state), time.time())
        if change is not None:
            self._report([change])
        self._schedule()

    @callback
    def _report(self, changes: list[PresenceChange]) -> None:
        now = time.time()
        for change in changes:
            self._last_notified[change.occupant_id] = now
            self._notify(change.occupant_id)
        self._on_changes(changes)

    # -- phones gone quiet ---------------------------------------------------

    @callback
    def _check_quiet(self, _now: datetime) -> None:
        self._report_phone_issues(time.time())

    def _report_phone_issues(self, now: float) -> None:
        quiet = self.tracker.quiet_phones(now)
        moved = [p for p, o in self.tracker.occupants.items() if o.new_address]
        async_report_phone_issues(
            self._hass,
            self._entry_id,
            {phone.id: phone.name for phone in self.config.phones},
            [p for p in quiet if p not in moved],
            moved,
        )

    # -- confirmation by ARP -------------------------------------------------

    @callback
    def _schedule(self) -> None:
        """Ask the phones that are due, and wake up when the next one is."""
        if self._cancel_deadline is not None:
            self._cancel_deadline()
            self._cancel_deadline = None
        if self.network is None or self._stopped:
            return
        now = time.time()
        due = self.tracker.candidates(now)
        self.tracker.start_confirming(due)
        deadline = self.tracker.next_deadline()
        if deadline is not None:
            self._cancel_deadline = track_at(
                self._hass, self._deadline_reached, max(deadline, now)
            )
        # Last: a round may finish at once and schedule again itself.
        if due:
            self._start(self._async_confirm(due))

    @callback
    def _deadline_reached(self, _scheduled: datetime) -> None:
        self._cancel_deadline = None
        self._schedule()

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._hass.async_create_background_task(work, "rpi_security presence")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _askable(
        self, phone_ids: list[str], now: float, *, urgent: bool
    ) -> tuple[dict[str, str | None], list[str]]:
        """MAC -> IP to ask, and the MACs that may be asked across the /24.

        A phone whose IP is not known can only be asked across the /24: at
        most every half hour (but at once when a door opens while armed),
        and not at all in between, which is no unanswered round either.
        """
        targets: dict[str, str | None] = {}
        sweep = []
        for phone_id in phone_ids:
            phone, occupant = self.phones[phone_id], self.tracker.occupants[phone_id]
            ip = occupant.ip or phone.ip
            away = occupant.presence is Presence.AWAY
            may_sweep = urgent or (
                now - self._last_sweep.get(phone_id, -math.inf) >= SWEEP_EVERY
                and (ip is None or not away)
            )
            if ip is None and not may_sweep:
                self.tracker.not_asked(phone_id, now)
                continue
            targets[phone.mac] = ip
            if occupant.new_address is not None:
                targets[occupant.new_address] = ip
            if may_sweep:
                self._last_sweep[phone_id] = now
                sweep.append(phone.mac)
        return targets, sweep

    async def _async_confirm(
        self, phone_ids: list[str], *, urgent: bool = False
    ) -> None:
        """Ask the phones (already marked as being confirmed) by ARP."""
        if self.network is None:
            return
        targets, sweep = self._askable(phone_ids, time.time(), urgent=urgent)
        phone_ids = [p for p in phone_ids if self.phones[p].mac in targets]
        if not phone_ids:
            self._schedule()
            return
        try:
            answered = await self.network.async_confirm(
                targets, self.config.presence.arp_tries, sweep
            )
        except asyncio.CancelledError:
            for phone_id in phone_ids:
                self.tracker.confirming.pop(phone_id, None)
            raise
        now = time.time()
        changes = []
        for phone_id in phone_ids:
            if phone_id not in self.phones:
                continue  # removed while it was being asked
            occupant = self.tracker.occupants[phone_id]
            mac = self.phones[phone_id].mac
            new_address = occupant.new_address
            if answered and new_address is not None and new_address in answered:
                found = self.tracker.heard_new_address(
                    phone_id, new_address, now, answered[new_address]
                )
                changes += [found] if found is not None else []
            result = None if answered is None else mac in answered
            ip = answered.get(mac) if answered else None
            if (
                change := self.tracker.confirmed(phone_id, result, now, ip)
            ) is not None:
                changes.append(change)
            elif result:
                self._last_notified[phone_id] = now
                self._notify(phone_id)
        if changes:
            self._report(changes)
        self._schedule()
