"""A typed reading of the config entry: the one place that knows its keys."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_ENTITY_ID, CONF_NAME

from .area_config import (
    AreaConfig,
    SensorRole,
    area_subentries,
    read_area,
    sensor_areas,
    sensor_options,
)
from .const import (
    CONF_AREAS,
    CONF_ARM_MODES,
    CONF_ARP_TRIES,
    CONF_AWAY_TIMEOUT,
    CONF_BOT_ENTRY,
    CONF_BURST_PHOTOS,
    CONF_CAMERA_DEVICE,
    CONF_CAMERA_ENTITY,
    CONF_CAMERA_MOTION,
    CONF_CAMERA_MOTION_ALARM,
    CONF_CAMERA_SOURCE,
    CONF_CAN_ARM,
    CONF_CAN_DISARM,
    CONF_CAPTURE_INTERVAL,
    CONF_CHAT_ID,
    CONF_CLIP_SECONDS,
    CONF_CODE_FORMAT,
    CONF_CODE_HASH,
    CONF_COMMANDS,
    CONF_CONFIRM_ROUNDS,
    CONF_CONTACT_TYPE,
    CONF_CORROBORATED_BY,
    CONF_DEBOUNCE_MS,
    CONF_DEPARTURE_MODE,
    CONF_DISARM_POLICY,
    CONF_DISARM_WITHOUT_CODE,
    CONF_DURESS_HASH,
    CONF_ENABLED,
    CONF_FRAME_RATE,
    CONF_GIF_SECONDS,
    CONF_HA_USER,
    CONF_HEARTBEAT_MINUTES,
    CONF_HEARTBEAT_URL,
    CONF_HFLIP,
    CONF_HOUSE_PANEL,
    CONF_IP,
    CONF_LAN_INTERFACE,
    CONF_MAC,
    CONF_MIN_FREE_MB,
    CONF_MONITOR_INTERFACE,
    CONF_PIN,
    CONF_PULL_UP,
    CONF_RATE_LIMIT,
    CONF_RECEIVES,
    CONF_RECORD_CLIP,
    CONF_RESOLUTION,
    CONF_RETENTION_DAYS,
    CONF_RETENTION_GB,
    CONF_ROTATION,
    CONF_ROUND_SPACING,
    CONF_SENSOR_TYPE,
    CONF_SERVICE,
    CONF_SIMULATION,
    CONF_SOURCE,
    CONF_TARGET_KIND,
    CONF_TELEGRAM_IDS,
    CONF_VFLIP,
    CONTACT_NO,
    DEFAULT_ARP_TRIES,
    DEFAULT_AWAY_TIMEOUT_MINUTES,
    DEFAULT_CONFIRM_ROUNDS,
    DEFAULT_DEBOUNCE_MS,
    DEFAULT_NAME,
    DEFAULT_ROUND_SPACING_MINUTES,
    SOURCE_ENTITY,
    SUBENTRY_DOOR,
    SUBENTRY_ENVIRONMENTAL,
    SUBENTRY_EXISTING_SENSOR,
    SUBENTRY_MOTION,
    SUBENTRY_PHONE,
    SUBENTRY_PRESENCE_ENTITY,
    SUBENTRY_TAMPER,
    SUBENTRY_TARGET,
    SUBENTRY_USER,
    SUBENTRY_WINDOW,
)
from .engine.access import Action, User
from .engine.alarm import ArmMode, SensorKind
from .engine.auto_arm import DisarmPolicy
from .engine.capture_policy import CaptureSettings
from .engine.presence import ConfirmationRules
from .engine.retention import RetentionLimits
from .hardware.camera import CameraSettings
from .mqtt_config import MQTT_DEFAULT_OPTIONS, WallPanelConfig
from .siren_config import SIREN_DEFAULT_OPTIONS, OutputsConfig

# The alarm's own settings are each area's (see area_config).
DEFAULT_OPTIONS: dict[str, Any] = {
    CONF_HOUSE_PANEL: True,
    CONF_LAN_INTERFACE: None,
    CONF_MONITOR_INTERFACE: None,
    CONF_AWAY_TIMEOUT: DEFAULT_AWAY_TIMEOUT_MINUTES,
    CONF_ARP_TRIES: DEFAULT_ARP_TRIES,
    CONF_CONFIRM_ROUNDS: DEFAULT_CONFIRM_ROUNDS,
    CONF_ROUND_SPACING: DEFAULT_ROUND_SPACING_MINUTES,
    CONF_DEPARTURE_MODE: ArmMode.AWAY.value,
    CONF_DISARM_POLICY: DisarmPolicy.ALWAYS.value,
    CONF_CAMERA_SOURCE: "none",
    CONF_CAMERA_DEVICE: "/dev/video0",
    CONF_CAMERA_ENTITY: None,
    CONF_RESOLUTION: "640x480",
    CONF_ROTATION: "0",
    CONF_HFLIP: False,
    CONF_VFLIP: False,
    CONF_FRAME_RATE: 5,
    CONF_CAMERA_MOTION: True,
    CONF_CAMERA_MOTION_ALARM: False,
    CONF_BURST_PHOTOS: 3,
    CONF_GIF_SECONDS: 3,
    CONF_RECORD_CLIP: False,
    CONF_CLIP_SECONDS: 10,
    CONF_CAPTURE_INTERVAL: 30,
    CONF_RETENTION_GB: 2,
    CONF_RETENTION_DAYS: 30,
    CONF_MIN_FREE_MB: 500,
    CONF_RATE_LIMIT: 120,
    CONF_HEARTBEAT_URL: None,
    CONF_HEARTBEAT_MINUTES: 5,
    **SIREN_DEFAULT_OPTIONS,
    **MQTT_DEFAULT_OPTIONS,
}

# The sensor subentries of one type each (an existing sensor's says its own).
SENSOR_KIND_OF_SUBENTRY: dict[str, SensorKind] = {
    SUBENTRY_DOOR: SensorKind.DOOR,
    SUBENTRY_WINDOW: SensorKind.WINDOW,
    SUBENTRY_MOTION: SensorKind.MOTION,
    SUBENTRY_TAMPER: SensorKind.TAMPER,
    SUBENTRY_ENVIRONMENTAL: SensorKind.ENVIRONMENTAL,
}
SENSOR_SUBENTRY_TYPES = (*SENSOR_KIND_OF_SUBENTRY, SUBENTRY_EXISTING_SENSOR)


class CodeFormat(StrEnum):
    """What the alarm code is made of (decides the keypad shown)."""

    NUMBER = "number"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class SensorConfig:
    """One sensor's wiring: a GPIO pin or an existing entity, and its type."""

    id: str  # the subentry id
    name: str
    kind: SensorKind
    pin: int | None = None
    pull_up: bool = True
    normally_closed: bool = True
    debounce: float = DEFAULT_DEBOUNCE_MS / 1000
    entity_id: str | None = None

    @property
    def on_gpio(self) -> bool:
        """Whether the sensor is wired to a GPIO pin of this machine."""
        return self.pin is not None

    @property
    def contact(self) -> bool:
        """Whether it is a contact (normally closed or open); a PIR drives a level."""
        return self.kind is not SensorKind.MOTION

    def is_open(self, active: bool) -> bool:
        """Translate the line's level into "open" (a contact) or "motion" (PIR).

        A contact (door, window, tamper loop, a detector's relay) closes the
        circuit while at rest (normally closed) or while open (normally
        open); a PIR drives its output to the active level on motion.
        """
        if self.contact and self.normally_closed:
            return not active
        return active

    def active_for(self, is_open: bool) -> bool:
        """The line level that means ``is_open`` (the inverse of :meth:`is_open`)."""
        if self.contact and self.normally_closed:
            return not is_open
        return is_open

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> SensorConfig:
        """Read a sensor subentry."""
        data = subentry.data
        kind = sensor_type_of(subentry)
        if data.get(CONF_SOURCE) == SOURCE_ENTITY:
            return cls(
                id=subentry.subentry_id,
                name=subentry.title,
                kind=kind,
                entity_id=data[CONF_ENTITY_ID],
            )
        return cls(
            id=subentry.subentry_id,
            name=subentry.title,
            kind=kind,
            pin=int(data[CONF_PIN]),
            pull_up=bool(data.get(CONF_PULL_UP, kind is not SensorKind.MOTION)),
            normally_closed=data.get(CONF_CONTACT_TYPE) != CONTACT_NO,
            debounce=float(data.get(CONF_DEBOUNCE_MS, DEFAULT_DEBOUNCE_MS)) / 1000,
        )


def sensor_type_of(subentry: ConfigSubentry) -> SensorKind:
    """The type of a sensor subentry."""
    if subentry.subentry_type == SUBENTRY_EXISTING_SENSOR:
        return SensorKind(subentry.data[CONF_SENSOR_TYPE])
    return SENSOR_KIND_OF_SUBENTRY[subentry.subentry_type]


@dataclass(frozen=True, slots=True)
class PhoneConfig:
    """A phone recognised on the network by its MAC address."""

    id: str  # the subentry id
    name: str
    mac: str  # normalized, aa:bb:cc:dd:ee:ff
    ip: str | None = None  # a fixed address, if the phone has one
    # A person or device_tracker that must agree before the phone is away,
    # and whose arrival home is the phone's.
    corroborated_by: str | None = None

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> PhoneConfig:
        """Read a phone subentry."""
        return cls(
            id=subentry.subentry_id,
            name=subentry.title,
            mac=subentry.data[CONF_MAC],
            ip=subentry.data.get(CONF_IP) or None,
            corroborated_by=subentry.data.get(CONF_CORROBORATED_BY) or None,
        )


@dataclass(frozen=True, slots=True)
class PresenceEntityConfig:
    """A Home Assistant person or device_tracker used as a presence source."""

    id: str  # the subentry id
    name: str
    entity_id: str


def user_from_subentry(subentry: ConfigSubentry) -> User:
    """Read a user subentry: codes (hashes), rights, linked accounts."""
    data = subentry.data
    return User(
        id=subentry.subentry_id,
        name=subentry.title,
        code_hash=data.get(CONF_CODE_HASH) or None,
        duress_hash=data.get(CONF_DURESS_HASH) or None,
        numeric=data.get(CONF_CODE_FORMAT, CodeFormat.NUMBER) == CodeFormat.NUMBER,
        can_arm=bool(data.get(CONF_CAN_ARM, True)),
        can_disarm=bool(data.get(CONF_CAN_DISARM, True)),
        arm_modes=frozenset(ArmMode(mode) for mode in data.get(CONF_ARM_MODES) or ()),
        disarm_without_code=bool(data.get(CONF_DISARM_WITHOUT_CODE, False)),
        ha_user_id=data.get(CONF_HA_USER) or None,
        telegram_ids=frozenset(int(i) for i in data.get(CONF_TELEGRAM_IDS) or ()),
        enabled=bool(data.get(CONF_ENABLED, True)),
        areas=frozenset(data.get(CONF_AREAS) or ()),
    )


@dataclass(frozen=True, slots=True)
class PresenceSettings:
    """How phones are looked for and what presence does to the alarm."""

    lan_interface: str | None = None
    monitor_interface: str | None = None
    away_timeout: float = DEFAULT_AWAY_TIMEOUT_MINUTES * 60
    arp_tries: int = DEFAULT_ARP_TRIES  # per round
    confirm_rounds: int = DEFAULT_CONFIRM_ROUNDS
    round_spacing: float = DEFAULT_ROUND_SPACING_MINUTES * 60
    departure_mode: ArmMode = ArmMode.AWAY
    disarm_policy: DisarmPolicy = DisarmPolicy.ALWAYS

    @property
    def rules(self) -> ConfirmationRules:
        """The engine's rules for confirming a silent phone."""
        return ConfirmationRules(
            away_timeout=self.away_timeout,
            rounds=self.confirm_rounds,
            round_spacing=self.round_spacing,
        )


class CameraSource(StrEnum):
    """Where pictures come from."""

    NONE = "none"
    PICAMERA2 = "picamera2"
    USB = "usb"
    ENTITY = "entity"
    SIMULATED = "simulated"  # simulation mode only


# What each mode offers: simulation mode has no real camera to use.
CAMERA_SOURCES = {
    True: (CameraSource.NONE, CameraSource.SIMULATED, CameraSource.ENTITY),
    False: (
        CameraSource.NONE,
        CameraSource.PICAMERA2,
        CameraSource.USB,
        CameraSource.ENTITY,
    ),
}


def camera_source_in_mode(stored: str, simulation: bool) -> CameraSource:
    """The camera a stored source gives in this mode.

    Simulation mode simulates the Pi camera and the webcam (entries of
    earlier versions chose those); on real hardware the simulated camera is
    no camera: its pictures must never pass for the house's.
    """
    source = CameraSource(stored)
    if simulation and source in (CameraSource.PICAMERA2, CameraSource.USB):
        return CameraSource.SIMULATED
    if not simulation and source is CameraSource.SIMULATED:
        return CameraSource.NONE
    return source


@dataclass(frozen=True, slots=True)
class CameraConfig:
    """The camera, what it captures and how much of it is kept."""

    source: CameraSource = CameraSource.NONE
    device: str = "/dev/video0"
    entity_id: str | None = None
    picture: CameraSettings = field(default_factory=CameraSettings)
    motion_detection: bool = True
    motion_alarm: bool = False  # camera motion counts as a motion sensor
    burst: int = 3
    gif_seconds: float = 3.0
    clip_seconds: float = 10.0
    captures: CaptureSettings = field(default_factory=CaptureSettings)
    retention: RetentionLimits = field(
        default_factory=lambda: RetentionLimits(2 * 1024**3, 30 * 86400)
    )
    min_free_bytes: int = 500 * 1024**2

    @property
    def enabled(self) -> bool:
        """Whether the system has a camera."""
        return self.source is not CameraSource.NONE


class TargetKind(StrEnum):
    """How alerts reach someone."""

    TELEGRAM = "telegram"
    PUSHOVER = "pushover"
    MOBILE_APP = "mobile_app"
    NOTIFY = "notify"  # any other notify service or notify entity: text only


class AlertCategory(StrEnum):
    """What a target can choose to receive."""

    ALARM = "alarm"  # the alarm went off (with photos)
    STATE = "state"  # armed, disarmed, arming refused...
    PROBLEMS = "problems"  # a component failed or recovered


@dataclass(frozen=True, slots=True)
class TargetConfig:
    """One place alerts go to."""

    id: str  # the subentry id
    name: str
    kind: TargetKind
    receives: frozenset[AlertCategory]
    service: str | None = None  # notify.<name>, or a notify entity's id
    bot_entry: str | None = None  # telegram_bot config entry
    chat_id: int | None = None
    commands: bool = False  # the chat may command the system

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> TargetConfig:
        """Read an alert target subentry."""
        data = subentry.data
        chat = data.get(CONF_CHAT_ID)
        return cls(
            id=subentry.subentry_id,
            name=subentry.title,
            kind=TargetKind(data[CONF_TARGET_KIND]),
            receives=frozenset(AlertCategory(c) for c in data.get(CONF_RECEIVES, ())),
            service=data.get(CONF_SERVICE) or None,
            bot_entry=data.get(CONF_BOT_ENTRY) or None,
            chat_id=int(chat) if chat is not None else None,
            commands=bool(data.get(CONF_COMMANDS, False)),
        )


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Rate limits, who may disarm from a notification, the heartbeat."""

    rate_limit: float = 120.0
    # Home Assistant users whose user may disarm from a notification.
    disarm_users: frozenset[str] = frozenset()
    heartbeat_url: str | None = None
    heartbeat_interval: float = 300.0


@dataclass(frozen=True, slots=True)
class SystemConfig:
    """Everything the system needs to know about its configuration."""

    name: str
    simulation: bool
    # The areas, the first being the primary one; none once all are removed.
    areas: tuple[AreaConfig, ...]
    sensors: tuple[SensorConfig, ...]
    # What each sensor does for the alarm, by sensor id.
    roles: Mapping[str, SensorRole] = field(default_factory=dict)
    # The whole-house panel, when there are two areas or more.
    house_panel: bool = True
    phones: tuple[PhoneConfig, ...] = ()
    presence_entities: tuple[PresenceEntityConfig, ...] = ()
    presence: PresenceSettings = field(default_factory=PresenceSettings)
    camera: CameraConfig = field(default_factory=CameraConfig)
    targets: tuple[TargetConfig, ...] = ()
    alerts: AlertSettings = field(default_factory=AlertSettings)
    users: tuple[User, ...] = ()
    code_format: CodeFormat | None = None
    # Sirens and strobes; wall panels over MQTT.
    outputs: OutputsConfig = field(default_factory=OutputsConfig)
    wall_panel: WallPanelConfig = field(default_factory=WallPanelConfig)

    @property
    def codes(self) -> bool:
        """Whether any user has a code (disabled ones too)."""
        return self.code_format is not None

    def area(self, area_id: str) -> AreaConfig | None:
        """An area by its id."""
        return next((area for area in self.areas if area.id == area_id), None)

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> SystemConfig:
        """Read the config entry, its options and its subentries."""
        options: Mapping[str, Any] = {**DEFAULT_OPTIONS, **entry.options}
        users = tuple(
            user_from_subentry(subentry)
            for subentry in entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_USER
        )
        # Disabled users count: disabling one never removes the need for a code.
        coded = [user for user in users if user.has_code]
        sensor_entries = [
            subentry
            for subentry in entry.subentries.values()
            if subentry.subentry_type in SENSOR_SUBENTRY_TYPES
        ]
        area_ids = [subentry.subentry_id for subentry in area_subentries(entry)]
        roles = {
            subentry.subentry_id: SensorRole(
                id=subentry.subentry_id,
                type=(kind := sensor_type_of(subentry)),
                areas=sensor_areas(subentry.data, area_ids),
                options=sensor_options(kind, subentry.data),
            )
            for subentry in sensor_entries
        }
        return cls(
            name=entry.data.get(CONF_NAME, entry.title) or DEFAULT_NAME,
            simulation=bool(entry.data.get(CONF_SIMULATION, False)),
            areas=tuple(
                read_area(
                    subentry,
                    (s for s, r in roles.items() if subentry.subentry_id in r.areas),
                )
                for subentry in area_subentries(entry)
            ),
            sensors=tuple(
                SensorConfig.from_subentry(subentry) for subentry in sensor_entries
            ),
            roles=roles,
            house_panel=bool(options[CONF_HOUSE_PANEL]),
            phones=tuple(
                PhoneConfig.from_subentry(subentry)
                for subentry in entry.subentries.values()
                if subentry.subentry_type == SUBENTRY_PHONE
            ),
            presence_entities=tuple(
                PresenceEntityConfig(
                    id=subentry.subentry_id,
                    name=subentry.title,
                    entity_id=subentry.data[CONF_ENTITY_ID],
                )
                for subentry in entry.subentries.values()
                if subentry.subentry_type == SUBENTRY_PRESENCE_ENTITY
            ),
            presence=presence_settings(options),
            camera=camera_config(
                options, simulation=bool(entry.data.get(CONF_SIMULATION, False))
            ),
            targets=tuple(
                TargetConfig.from_subentry(subentry)
                for subentry in entry.subentries.values()
                if subentry.subentry_type == SUBENTRY_TARGET
            ),
            alerts=AlertSettings(
                rate_limit=float(options[CONF_RATE_LIMIT]),
                disarm_users=frozenset(
                    user.ha_user_id
                    for user in users
                    if user.ha_user_id
                    and user.disarm_without_code
                    and user.may(Action.DISARM)
                ),
                heartbeat_url=options[CONF_HEARTBEAT_URL] or None,
                heartbeat_interval=float(options[CONF_HEARTBEAT_MINUTES]) * 60,
            ),
            users=users,
            code_format=None
            if not coded
            else CodeFormat.NUMBER
            if all(user.numeric for user in coded)
            else CodeFormat.TEXT,
            outputs=OutputsConfig.from_entry(entry, options),
            wall_panel=WallPanelConfig.from_options(options),
        )


def presence_settings(options: Mapping[str, Any]) -> PresenceSettings:
    """The presence settings from the entry's options."""
    return PresenceSettings(
        lan_interface=options[CONF_LAN_INTERFACE] or None,
        monitor_interface=options[CONF_MONITOR_INTERFACE] or None,
        away_timeout=float(options[CONF_AWAY_TIMEOUT]) * 60,
        arp_tries=int(options[CONF_ARP_TRIES]),
        confirm_rounds=int(options[CONF_CONFIRM_ROUNDS]),
        round_spacing=float(options[CONF_ROUND_SPACING]) * 60,
        departure_mode=ArmMode(options[CONF_DEPARTURE_MODE]),
        disarm_policy=DisarmPolicy(options[CONF_DISARM_POLICY]),
    )


def camera_config(
    options: Mapping[str, Any], *, simulation: bool = False
) -> CameraConfig:
    """The camera settings from the entry's options, for the entry's mode."""
    width, height = (int(part) for part in str(options[CONF_RESOLUTION]).split("x"))
    frame_rate = float(options[CONF_FRAME_RATE])
    return CameraConfig(
        source=camera_source_in_mode(options[CONF_CAMERA_SOURCE], simulation),
        device=str(options[CONF_CAMERA_DEVICE]),
        entity_id=options[CONF_CAMERA_ENTITY] or None,
        picture=CameraSettings(
            width=width,
            height=height,
            rotation=int(options[CONF_ROTATION]),
            hflip=bool(options[CONF_HFLIP]),
            vflip=bool(options[CONF_VFLIP]),
            frame_rate=frame_rate,
        ),
        motion_detection=bool(options[CONF_CAMERA_MOTION]),
        motion_alarm=bool(
            options[CONF_CAMERA_MOTION] and options[CONF_CAMERA_MOTION_ALARM]
        ),
        burst=int(options[CONF_BURST_PHOTOS]),
        gif_seconds=float(options[CONF_GIF_SECONDS]),
        clip_seconds=float(options[CONF_CLIP_SECONDS]),
        captures=CaptureSettings(
            gif=float(options[CONF_GIF_SECONDS]) > 0,
            clip=bool(options[CONF_RECORD_CLIP]),
            interval=float(options[CONF_CAPTURE_INTERVAL]),
        ),
        retention=RetentionLimits(
            max_bytes=int(float(options[CONF_RETENTION_GB]) * 1024**3),
            max_age=float(options[CONF_RETENTION_DAYS]) * 86400,
        ),
        min_free_bytes=int(float(options[CONF_MIN_FREE_MB]) * 1024**2),
    )
