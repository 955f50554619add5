"""What the alarm drives, started, changed and stopped with the system.

Sirens and strobes (:mod:`.sirens`) and wall panels over MQTT
(:mod:`.mqtt_panel`) both talk to the alarm through one
:class:`.alarm_port.AlarmPort`; this module builds it and them, and applies
configuration changes to them live.
"""

from .alarm_port import AlarmPort, SystemAlarmPort
from .config import SystemConfig
from .mqtt_panel import MqttWallPanel
from .sirens import Sirens
from .system import SecuritySystem


class AlarmOutputs:
    """The sirens and the wall panel of one system."""

    def __init__(self, system: SecuritySystem, port: AlarmPort | None = None) -> None:
        """Build them on ``port`` (today's system: one area)."""
        self.port = port or SystemAlarmPort(system)
        config = system.config
        self.sirens = Sirens(
            system.hass,
            self.port,
            system.inputs.pins,
            config.outputs,
            notify=system.notify,
        )
        self.wall_panel = MqttWallPanel(system.hass, self.port, config.wall_panel)

    async def async_start(self) -> None:
        """Switch the sirens as the alarm stands; connect the wall panel."""
        await self.sirens.async_start()
        await self.wall_panel.async_start()

    async def async_apply(self, old: SystemConfig, new: SystemConfig) -> None:
        """Apply what changed of theirs, live."""
        if old.outputs != new.outputs:
            await self.sirens.async_update(new.outputs)
        await self.wall_panel.async_update(new.wall_panel)

    async def async_stop(self) -> None:
        """Every siren off, the wall panel no longer listening."""
        await self.wall_panel.async_stop()
        await self.sirens.async_stop()


async def async_start_outputs(system: SecuritySystem) -> None:
    """Start the sirens and the wall panel of a system that has started."""
    system.outputs = AlarmOutputs(system)
    await system.outputs.async_start()


async def async_stop_outputs(system: SecuritySystem) -> None:
    """Stop them (before the system itself stops)."""
    if system.outputs is not None:
        await system.outputs.async_stop()
        system.outputs = None
