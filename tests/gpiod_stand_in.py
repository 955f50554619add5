"""A stand-in for ``gpiod`` 2.5.0 (libgpiod v2's Python bindings) on simulated chips.

This machine has no Raspberry Pi. This module follows the real package's
Python layer (``__init__.py``, ``chip.py``, ``line_request.py``,
``line_settings.py``, ``line.py``, ``edge_event.py``, ``chip_info.py``,
``line_info.py``, ``exception.py`` of the 2.5.0 wheel): the same names,
signatures, enum values, exceptions and errno values. Info events (line
watches) are left out: nothing here uses them. Where the real package calls
its C extension, this one calls the simulated kernel (``gpiod_kernel``)
installed with :func:`install`.

In place (``sys.modules`` as :func:`modules` says), ``import gpiod`` gives
this module and ``gpiod.line`` etc. its submodules.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import Enum
import os
from pathlib import Path
import select
import sys
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Self
import warnings

if TYPE_CHECKING:
    from .gpiod_kernel import KernelRequest, Machine, SimulatedChip

__version__ = "2.5.0"
api_version = "2.3"


# -- gpiod/line.py -------------------------------------------------------------


class Value(Enum):
    """Logical line states."""

    INACTIVE = 0
    ACTIVE = 1

    def __bool__(self) -> bool:
        return self is Value.ACTIVE


class Direction(Enum):
    """Direction settings."""

    AS_IS = 1
    INPUT = 2
    OUTPUT = 3


class Bias(Enum):
    """Internal bias settings."""

    AS_IS = 1
    UNKNOWN = 2
    DISABLED = 3
    PULL_UP = 4
    PULL_DOWN = 5


class Drive(Enum):
    """Drive settings."""

    PUSH_PULL = 1
    OPEN_DRAIN = 2
    OPEN_SOURCE = 3


class Edge(Enum):
    """Edge detection settings."""

    NONE = 1
    RISING = 2
    FALLING = 3
    BOTH = 4


class Clock(Enum):
    """Event clock settings."""

    MONOTONIC = 1
    REALTIME = 2
    HTE = 3


# -- gpiod/exception.py ---------------------------------------------------------


class ChipClosedError(Exception):
    """A closed chip was used."""

    def __init__(self) -> None:
        super().__init__("I/O operation on closed chip")


class RequestReleasedError(Exception):
    """A released request was used."""

    def __init__(self) -> None:
        super().__init__("GPIO lines have been released")


# -- gpiod/line_settings.py, chip_info.py, line_info.py, edge_event.py ---------


@dataclass(repr=False)
class LineSettings:
    """A set of line properties."""

    direction: Direction = Direction.AS_IS
    edge_detection: Edge = Edge.NONE
    bias: Bias = Bias.AS_IS
    drive: Drive = Drive.PUSH_PULL
    active_low: bool = False
    debounce_period: timedelta = timedelta()
    event_clock: Clock = Clock.MONOTONIC
    output_value: Value = Value.INACTIVE


@dataclass(frozen=True, repr=False)
class ChipInfo:
    """Snapshot of a chip's status."""

    name: str
    label: str
    num_lines: int


@dataclass(frozen=True, init=False, repr=False)
class LineInfo:
    """Snapshot of a line's status."""

    offset: int
    name: str
    used: bool
    consumer: str
    direction: Direction
    active_low: bool
    bias: Bias
    drive: Drive
    edge_detection: Edge
    event_clock: Clock
    debounced: bool
    debounce_period: timedelta

    def __init__(
        self,
        offset: int,
        name: str,
        used: bool,
        consumer: str,
        direction: int,
        active_low: bool,
        bias: int,
        drive: int,
        edge_detection: int,
        event_clock: int,
        debounced: bool,
        debounce_period_us: int,
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "offset", offset)
        set_field(self, "name", name)
        set_field(self, "used", used)
        set_field(self, "consumer", consumer)
        set_field(self, "direction", Direction(direction))
        set_field(self, "active_low", active_low)
        set_field(self, "bias", Bias(bias))
        set_field(self, "drive", Drive(drive))
        set_field(self, "edge_detection", Edge(edge_detection))
        set_field(self, "event_clock", Clock(event_clock))
        set_field(self, "debounced", debounced)
        set_field(self, "debounce_period", timedelta(microseconds=debounce_period_us))


@dataclass(frozen=True, init=False, repr=False)
class EdgeEvent:
    """One edge event."""

    class Type(Enum):
        """Possible edge event types."""

        RISING_EDGE = 1
        FALLING_EDGE = 2

    event_type: Type
    timestamp_ns: int
    line_offset: int
    global_seqno: int
    line_seqno: int

    def __init__(
        self,
        event_type: int,
        timestamp_ns: int,
        line_offset: int,
        global_seqno: int,
        line_seqno: int,
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "event_type", EdgeEvent.Type(event_type))
        set_field(self, "timestamp_ns", timestamp_ns)
        set_field(self, "line_offset", line_offset)
        set_field(self, "global_seqno", global_seqno)
        set_field(self, "line_seqno", line_seqno)


_MACHINE: Machine | None = None


def _machine() -> Machine:
    if _MACHINE is None:
        raise RuntimeError("no simulated machine: call gpiod_stand_in.install()")
    return _MACHINE


# -- gpiod/__init__.py, chip.py, line_request.py --------------------------------


def is_gpiochip_device(path: str) -> bool:
    """Whether ``path`` is a GPIO chip's character device."""
    return str(Path(path)) in _machine().chips


def _config_items(
    config: dict[Iterable[int | str] | int | str, LineSettings | None],
) -> Iterator[tuple[int | str, LineSettings | None]]:
    for key, settings in config.items():
        if isinstance(key, int | str):
            yield key, settings
        else:
            for line in key:
                yield line, settings


class LineRequest:
    """A set of requested lines."""

    def __init__(self, req: KernelRequest) -> None:
        """Made by :meth:`Chip.request_lines` only."""
        self._req: KernelRequest | None = req
        self._chip_name: str
        self._offsets: list[int]
        self._name_map: dict[str, int]
        self._lines: list[int | str]

    def __bool__(self) -> bool:
        return self._req is not None

    def __enter__(self) -> Self:
        self._live()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def _live(self) -> KernelRequest:
        if self._req is None:
            raise RequestReleasedError
        return self._req

    def release(self) -> None:
        """Release the lines and close the request's fd."""
        if self._req is not None:
            self._req.machine.release(self._req)
            self._req = None

    def _offset(self, line: int | str) -> int:
        if isinstance(line, int):
            return line
        if line not in self._name_map:
            raise ValueError(f"unknown line name: {line}")
        return self._name_map[line]

    def get_value(self, line: int | str) -> Value:
        """One line's logical value."""
        return self.get_values([line])[0]

    def get_values(self, lines: Iterable[int | str] | None = None) -> list[Value]:
        """Logical values of some (or all) requested lines."""
        req = self._live()
        offsets = [self._offset(line) for line in (lines or self._lines)]
        return req.machine.values(req, offsets)

    def set_value(self, line: int | str, value: Value) -> None:
        """Set one output line."""
        self.set_values({line: value})

    def set_values(self, values: dict[int | str, Value]) -> None:
        """Set some output lines."""
        req = self._live()
        req.machine.set_values(req, {self._offset(k): v for k, v in values.items()})

    def reconfigure_lines(
        self, config: dict[Iterable[int | str] | int | str, LineSettings | None]
    ) -> None:
        """Change the lines' settings; lines left out get the defaults."""
        req = self._live()
        given: dict[int, LineSettings | None] = {}
        for line, settings in _config_items(config):
            try:
                offset = self._offset(line)
            except ValueError:
                warnings.warn(
                    f"Line name '{line}' was not included in original request.",
                    stacklevel=2,
                )
                continue
            if offset not in self._offsets:
                warnings.warn(
                    f"Line offset '{offset}' was not included in original request.",
                    stacklevel=2,
                )
                continue
            given[offset] = settings
        req.machine.reconfigure(
            req, {o: given.get(o) or LineSettings() for o in self._offsets}
        )

    def wait_edge_events(self, timeout: timedelta | float | None = None) -> bool:
        """Wait for edge events; False on timeout."""
        fd = self._live().read_fd
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
        readable, _, _ = select.select([fd], [], [], seconds)
        return fd in readable

    def read_edge_events(self, max_events: int | None = None) -> list[EdgeEvent]:
        """Read queued edge events (blocks on a blocking fd while none is)."""
        req = self._live()
        return req.machine.read(req, min(max_events or 64, self._buffer_capacity))

    def fileno(self) -> int:
        """The request's fd."""
        return self.fd

    @property
    def chip_name(self) -> str:
        """The chip the lines were requested on."""
        self._live()
        return self._chip_name

    @property
    def num_lines(self) -> int:
        """How many lines were requested."""
        self._live()
        return len(self._offsets)

    @property
    def offsets(self) -> list[int]:
        """Offsets of the requested lines."""
        self._live()
        return self._offsets

    @property
    def lines(self) -> list[int | str]:
        """The requested lines, as they were named in the request."""
        self._live()
        return self._lines

    @property
    def fd(self) -> int:
        """The request's file descriptor: readable while events are queued."""
        return self._live().read_fd

    _buffer_capacity: int = 64


class Chip:
    """A GPIO chip, opened from its device file."""

    def __init__(self, path: str) -> None:
        """Open the chip (ENOENT, ENODEV or EACCES as the kernel answers)."""
        self._machine = _machine()
        self._chip: SimulatedChip | None = self._machine.open_chip(path)
        self._path = path
        self._fd = os.open(os.devnull, os.O_RDONLY)
        self._info: ChipInfo | None = None

    def __bool__(self) -> bool:
        return self._chip is not None

    def __enter__(self) -> Self:
        self._live()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _live(self) -> SimulatedChip:
        if self._chip is None:
            raise ChipClosedError
        return self._chip

    def close(self) -> None:
        """Close the chip's fd."""
        if self._chip is not None:
            os.close(self._fd)
            self._chip = None

    def get_info(self) -> ChipInfo:
        """Name, label and number of lines."""
        chip = self._live()
        if self._info is None:
            self._info = ChipInfo(chip.name, chip.label, len(chip.lines))
        return self._info

    def line_offset_from_id(self, id: int | str) -> int:  # noqa: A002  (gpiod's name)
        """A line's offset from its name, its offset as text, or its offset."""
        chip = self._live()
        if isinstance(id, int):
            offset = id
        else:
            try:
                return chip.offset_of(id)
            except OSError as err:
                try:
                    offset = int(id)
                except ValueError:
                    raise err from None
        if offset >= self.get_info().num_lines:
            raise ValueError("line offset of out range")
        return offset

    def get_line_info(self, line: int | str) -> LineInfo:
        """A snapshot of one line's status."""
        state = self._live().lines[self.line_offset_from_id(line)]
        settings = state.settings
        used = state.request is not None
        return LineInfo(
            state.offset,
            state.name,
            used,
            state.consumer,
            state.direction.value,
            settings.active_low if used else False,
            state.bias.value,
            settings.drive.value if used else Drive.PUSH_PULL.value,
            settings.edge_detection.value if used else Edge.NONE.value,
            settings.event_clock.value if used else Clock.MONOTONIC.value,
            bool(state.debounce_us),
            state.debounce_us,
        )

    def request_lines(
        self,
        config: dict[Iterable[int | str] | int | str, LineSettings | None],
        consumer: str | None = None,
        event_buffer_size: int | None = None,
        output_values: dict[int | str, Value] | None = None,
    ) -> LineRequest:
        """Request lines for exclusive use."""
        chip = self._live()
        settings: dict[int, LineSettings] = {}
        requested: list[int | str] = []
        name_map: dict[str, int] = {}
        outputs = {
            self.line_offset_from_id(k): v for k, v in (output_values or {}).items()
        }
        for line, line_settings in _config_items(config):
            offset = self.line_offset_from_id(line)
            if offset in settings:
                raise ValueError(
                    f"line must be configured exactly once - offset {offset} repeats"
                )
            chosen = line_settings or LineSettings()
            if outputs:
                # As gpiod: given values win, every other line starts inactive.
                value = outputs.get(offset, Value.INACTIVE)
                chosen = replace(chosen, output_value=value)
            settings[offset] = chosen
            requested.append(line)
            if isinstance(line, str):
                name_map[line] = offset
            elif (name := chip.lines[offset].name) and name not in name_map:
                name_map[name] = offset
        req = self._machine.request(chip, settings, consumer, event_buffer_size)
        request = LineRequest(req)
        request._chip_name = chip.name
        request._offsets = list(settings)
        request._name_map = name_map
        request._lines = requested
        request._buffer_capacity = min(event_buffer_size or 64, 1024)
        return request

    def fileno(self) -> int:
        """The chip's fd."""
        return self.fd

    @property
    def path(self) -> str:
        """The path the chip was opened from."""
        self._live()
        return self._path

    @property
    def fd(self) -> int:
        """The chip's file descriptor."""
        self._live()
        return self._fd


def request_lines(
    path: str,
    config: dict[Iterable[int | str] | int | str, LineSettings | None],
    consumer: str | None = None,
    event_buffer_size: int | None = None,
    output_values: dict[int | str, Value] | None = None,
) -> LineRequest:
    """Open the chip at ``path``, request lines, close the chip."""
    with Chip(path) as chip:
        return chip.request_lines(config, consumer, event_buffer_size, output_values)


# -- the submodules and installing the stand-in ---------------------------------


def _submodule(name: str, **members: Any) -> ModuleType:
    module = ModuleType(f"gpiod.{name}")
    module.__dict__.update(members)
    return module


line = _submodule(
    "line",
    Value=Value,
    Direction=Direction,
    Bias=Bias,
    Drive=Drive,
    Edge=Edge,
    Clock=Clock,
)
SUBMODULES = {
    "line": line,
    "line_settings": _submodule("line_settings", LineSettings=LineSettings),
    "chip_info": _submodule("chip_info", ChipInfo=ChipInfo),
    "line_info": _submodule("line_info", LineInfo=LineInfo),
    "edge_event": _submodule("edge_event", EdgeEvent=EdgeEvent),
    "exception": _submodule(
        "exception",
        ChipClosedError=ChipClosedError,
        RequestReleasedError=RequestReleasedError,
    ),
    "chip": _submodule("chip", Chip=Chip),
    "line_request": _submodule("line_request", LineRequest=LineRequest),
}


def modules() -> dict[str, ModuleType]:
    """What ``sys.modules`` holds while the stand-in is in place."""
    return {
        "gpiod": sys.modules[__name__],
        **{f"gpiod.{name}": module for name, module in SUBMODULES.items()},
    }


def install(machine: Machine | None) -> None:
    """Make ``machine`` the kernel behind the API (``None``: none)."""
    global _MACHINE  # noqa: PLW0603  (one kernel per process, as the real one)
    _MACHINE = machine
