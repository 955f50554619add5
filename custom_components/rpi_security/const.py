"""Constants of the RPi Security integration."""

from typing import Final

DOMAIN: Final = "rpi_security"
DEFAULT_NAME: Final = "RPi Security"

# Config entry data.
CONF_SIMULATION: Final = "simulation"

# Options.
CONF_EXIT_DELAY: Final = "exit_delay"
CONF_ENTRY_DELAY: Final = "entry_delay"
CONF_TRIGGER_TIME: Final = "trigger_time"
CONF_DISARM_AFTER_TRIGGER: Final = "disarm_after_trigger"
CONF_ARM_MODES: Final = "arm_modes"
CONF_MOTION_USES_ENTRY_DELAY: Final = "motion_uses_entry_delay"
CONF_PET_IMMUNE_MINUTES: Final = "pet_immune_minutes"
CONF_CODE_HASH: Final = "code_hash"
CONF_CODE_FORMAT: Final = "code_format"
CONF_CODE_ARM_REQUIRED: Final = "code_arm_required"

# Form fields that are not stored as such.
CONF_CODE: Final = "code"
CONF_CLEAR_CODE: Final = "clear_code"
CONF_DURESS_CODE: Final = "duress_code"
CONF_CLEAR_DURESS: Final = "clear_duress_code"

# User subentries: a person, their codes (hashes) and what they may do.
SUBENTRY_USER: Final = "user"
CONF_DURESS_HASH: Final = "duress_hash"
CONF_CAN_ARM: Final = "can_arm"
CONF_CAN_DISARM: Final = "can_disarm"
CONF_DISARM_WITHOUT_CODE: Final = "disarm_without_code"
CONF_HA_USER: Final = "ha_user"
CONF_TELEGRAM_IDS: Final = "telegram_ids"
CONF_ENABLED: Final = "enabled"
# The user the single code of earlier versions became.
MIGRATED_USER_NAME: Final = "Owner"

# Presence options.
CONF_LAN_INTERFACE: Final = "lan_interface"
CONF_MONITOR_INTERFACE: Final = "monitor_interface"
CONF_AWAY_TIMEOUT: Final = "away_timeout"  # minutes
CONF_ARP_TRIES: Final = "arp_tries"  # ARP requests per confirmation round
CONF_CONFIRM_ROUNDS: Final = "confirm_rounds"
CONF_ROUND_SPACING: Final = "round_spacing"  # minutes
CONF_DEPARTURE_MODE: Final = "departure_mode"
CONF_DISARM_POLICY: Final = "disarm_policy"

# Camera options.
CONF_CAMERA_SOURCE: Final = "camera_source"
CONF_CAMERA_DEVICE: Final = "camera_device"
CONF_CAMERA_ENTITY: Final = "camera_entity"
CONF_RESOLUTION: Final = "resolution"
CONF_ROTATION: Final = "rotation"
CONF_HFLIP: Final = "hflip"
CONF_VFLIP: Final = "vflip"
CONF_FRAME_RATE: Final = "frame_rate"
CONF_CAMERA_MOTION: Final = "camera_motion"
CONF_CAMERA_MOTION_ALARM: Final = "camera_motion_alarm"
# Capture options.
CONF_BURST_PHOTOS: Final = "burst_photos"
CONF_GIF_SECONDS: Final = "gif_seconds"
CONF_RECORD_CLIP: Final = "record_clip"
CONF_CLIP_SECONDS: Final = "clip_seconds"
CONF_CAPTURE_INTERVAL: Final = "capture_interval"
CONF_RETENTION_GB: Final = "retention_gb"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_MIN_FREE_MB: Final = "min_free_mb"

RESOLUTIONS: Final = ("320x240", "640x480", "1280x720", "1920x1080")
ROTATIONS: Final = ("0", "90", "180", "270")

# Alert options.
CONF_RATE_LIMIT: Final = "rate_limit"
# Before users: Home Assistant users who could disarm from a notification.
CONF_DISARM_USERS: Final = "disarm_users"
CONF_HEARTBEAT_URL: Final = "heartbeat_url"
CONF_HEARTBEAT_MINUTES: Final = "heartbeat_minutes"

# Sensor subentries: one kind per sensor type, and any existing binary_sensor
# whose type comes from its device class.
SUBENTRY_DOOR: Final = "door"
SUBENTRY_WINDOW: Final = "window"
SUBENTRY_MOTION: Final = "motion"
SUBENTRY_TAMPER: Final = "tamper"
SUBENTRY_ENVIRONMENTAL: Final = "environmental"
SUBENTRY_EXISTING_SENSOR: Final = "existing_sensor"
CONF_SENSOR_TYPE: Final = "sensor_type"
# The areas a sensor belongs to (area subentry ids), and its options.
CONF_AREAS: Final = "areas"
CONF_USE_ENTRY_DELAY: Final = "use_entry_delay"
CONF_USE_EXIT_DELAY: Final = "use_exit_delay"
CONF_ALLOW_OPEN_AT_ARMING: Final = "allow_open_at_arming"
CONF_ARM_AFTER_CLOSING: Final = "arm_after_closing_s"  # 0: off
CONF_AUTO_BYPASS_MODES: Final = "auto_bypass_modes"
CONF_TRIGGER_WHEN_UNAVAILABLE: Final = "trigger_when_unavailable"
# Area subentries: the settings above the sensors (delays, modes, code rule).
SUBENTRY_AREA: Final = "area"
CONF_PRESENCE_CONTROLS: Final = "presence_controls"
CONF_MODES: Final = "modes"  # {mode: {exit_delay, entry_delay, trigger_time, sensors}}
CONF_SENSORS: Final = "sensors"
CONF_CROSS_ZONE_GROUPS: Final = "cross_zone_groups"  # [{name, sensors, window_s}]
CONF_WINDOW: Final = "window_s"
# The area whose panel is the system's first one (its unique id is the entry id).
CONF_SYSTEM_PANEL: Final = "system_panel"
# Entry option: the whole-house panel, shown when there are two areas or more.
CONF_HOUSE_PANEL: Final = "house_panel"
# Presence subentries.
SUBENTRY_PHONE: Final = "phone"
SUBENTRY_PRESENCE_ENTITY: Final = "presence_entity"
CONF_MAC: Final = "mac"
CONF_IP: Final = "ip"
CONF_CORROBORATED_BY: Final = "corroborated_by"  # a person or device_tracker
# Alert target subentries.
SUBENTRY_TARGET: Final = "alert_target"
CONF_TARGET_KIND: Final = "kind"
CONF_RECEIVES: Final = "receives"
CONF_SERVICE: Final = "service"
CONF_BOT_ENTRY: Final = "bot_entry"
CONF_CHAT_ID: Final = "chat_id"
CONF_COMMANDS: Final = "commands"
CONF_SOURCE: Final = "source"
SOURCE_GPIO: Final = "gpio"
SOURCE_ENTITY: Final = "entity"
CONF_PIN: Final = "pin"
CONF_CONTACT_TYPE: Final = "contact_type"
CONTACT_NC: Final = "nc"
CONTACT_NO: Final = "no"
CONF_PULL_UP: Final = "pull_up"
CONF_DEBOUNCE_MS: Final = "debounce_ms"

# Defaults and limits (seconds unless named otherwise).
DEFAULT_EXIT_DELAY: Final = 30
DEFAULT_ENTRY_DELAY: Final = 30
DEFAULT_TRIGGER_TIME: Final = 180
DEFAULT_DEBOUNCE_MS: Final = 100
MAX_DELAY: Final = 600
MIN_TRIGGER_TIME: Final = 1
MAX_TRIGGER_TIME: Final = 3600
MAX_DEBOUNCE_MS: Final = 5000
MAX_PET_IMMUNE_MINUTES: Final = 60
MAX_ARM_AFTER_CLOSING: Final = 60
DEFAULT_CROSS_ZONE_WINDOW: Final = 60
MAX_CROSS_ZONE_WINDOW: Final = 600
DEFAULT_AWAY_TIMEOUT_MINUTES: Final = 10
MIN_AWAY_TIMEOUT_MINUTES: Final = 1
MAX_AWAY_TIMEOUT_MINUTES: Final = 120
DEFAULT_ARP_TRIES: Final = 3
MAX_ARP_TRIES: Final = 10
ARP_TRY_INTERVAL: Final = 1.0  # seconds between the ARP tries of a round
DEFAULT_CONFIRM_ROUNDS: Final = 3
MAX_CONFIRM_ROUNDS: Final = 10
DEFAULT_ROUND_SPACING_MINUTES: Final = 1
MAX_ROUND_SPACING_MINUTES: Final = 15

# Bus events.
EVENT_ALARM: Final = "rpi_security_event"
EVENT_DURESS: Final = "duress"  # the type of the rpi_security_event
EVENT_BAD_CODE: Final = "rpi_security_bad_code"
EVENT_CAPTURE: Final = "rpi_security_capture"

# Services.
SERVICE_ARM: Final = "arm"
SERVICE_SIMULATE: Final = "simulate"
SERVICE_CAPTURE: Final = "capture"
SERVICE_SKIP_DELAY: Final = "skip_delay"
ATTR_KIND: Final = "kind"
ATTR_MODE: Final = "mode"
ATTR_FORCE: Final = "force"
ATTR_ACTION: Final = "action"

# Who changed the alarm, when it was not a person.
CHANGED_BY_PRESENCE: Final = "presence"

# The action of the Disarm button on mobile app notifications.
MOBILE_DISARM_ACTION: Final = "RPI_SECURITY_DISARM"
# The buttons of a refused arming (followed by "_" and the refusal's token).
MOBILE_RETRY_ACTION: Final = "RPI_SECURITY_RETRY"
MOBILE_BYPASS_ACTION: Final = "RPI_SECURITY_BYPASS"
