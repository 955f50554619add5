"""The kernel behind the stand-in gpiod: simulated GPIO chips and line requests.

:class:`Machine` plays the kernel's GPIO character device: chips with labels
and line names, the bias of a line nothing drives, edge detection, the software
debounce (every edge restarts the period; a level is reported once it held),
the event queue of each request (16 events per line, the oldest dropped when
full) behind a real file descriptor: a pipe holding one byte per queued event,
so ``loop.add_reader`` sees it become readable. Layouts of the Pis' chips at
the end.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
import errno
import os
from pathlib import Path
import threading
import time

from .gpiod_stand_in import (
    Bias,
    Clock,
    Direction,
    Drive,
    Edge,
    EdgeEvent,
    LineSettings,
    Value,
)


def _os_error(code: int) -> OSError:
    # As the C extension raises them: OSError picks the subclass by errno.
    return OSError(code, os.strerror(code))


# Schedules a call after a delay in seconds (the kernel's debounce timer).
type Scheduler = Callable[[float, Callable[[], None]], None]


def thread_timers(delay: float, call: Callable[[], None]) -> None:
    """Run ``call`` after ``delay`` seconds on a timer thread (real time)."""
    timer = threading.Timer(delay, call)
    timer.daemon = True
    timer.start()


@dataclass(eq=False)
class SimulatedLine:
    """One line of a simulated chip and what is wired to it."""

    offset: int
    name: str
    # What the wired device drives: True high, False low, None nothing (the
    # line then follows its bias).
    wire: bool | None = None
    direction: Direction = Direction.INPUT
    bias: Bias = Bias.UNKNOWN
    settings: LineSettings = field(default_factory=LineSettings)
    request: KernelRequest | None = None
    consumer: str = ""
    debounced_level: bool = False
    debounce_generation: int = 0
    seqno: int = 0

    @property
    def physical(self) -> bool:
        """The electrical level of the line now."""
        if self.direction is Direction.OUTPUT:
            return bool(self.settings.output_value) != self.settings.active_low
        if self.wire is not None:
            return self.wire
        return self.bias is Bias.PULL_UP  # pulled down, or floating near ground

    @property
    def debounce_us(self) -> int:
        """The debounce period in effect, in microseconds (inputs only)."""
        if self.request is None or self.direction is not Direction.INPUT:
            return 0
        return int(self.settings.debounce_period.total_seconds() * 1_000_000)


class SimulatedChip:
    """A GPIO chip: its device name, label and lines."""

    def __init__(
        self,
        name: str,
        label: str,
        num_lines: int,
        names: dict[int, str] | None = None,
        *,
        denied: bool = False,
    ) -> None:
        """``denied``: this process may not open the device (no permission)."""
        self.name = name
        self.label = label
        self.denied = denied
        names = names or {}
        self.lines = [SimulatedLine(o, names.get(o, "")) for o in range(num_lines)]

    def offset_of(self, line_name: str) -> int:
        """The offset of the first line with that name (ENOENT if none)."""
        for line in self.lines:
            if line.name and line.name == line_name:
                return line.offset
        raise _os_error(errno.ENOENT)


class KernelRequest:
    """The kernel's side of a line request: lines, event queue and its fd."""

    def __init__(
        self,
        machine: Machine,
        chip: SimulatedChip,
        lines: list[SimulatedLine],
        buffer_size: int,
    ) -> None:
        """Open the event queue (a pipe, readable while events wait)."""
        self.machine = machine
        self.chip = chip
        self.lines = lines
        self.queue: deque[EdgeEvent] = deque()
        self.capacity = buffer_size or 16 * len(lines)
        self.read_fd, self._write_fd = os.pipe()
        self.seqno = 0
        self.released = False
        self.dropped = 0

    def put(self, line: SimulatedLine, logical: bool, timestamp_ns: int) -> None:
        """Queue an edge event; the kernel drops the oldest when full."""
        self.seqno += 1
        line.seqno += 1
        kind = EdgeEvent.Type.RISING_EDGE if logical else EdgeEvent.Type.FALLING_EDGE
        event = EdgeEvent(kind.value, timestamp_ns, line.offset, self.seqno, line.seqno)
        if len(self.queue) >= self.capacity:
            self.queue.popleft()
            self.dropped += 1
        else:
            os.write(self._write_fd, b"\0")
        self.queue.append(event)

    def close(self) -> None:
        """Free the lines and both ends of the pipe."""
        self.released = True
        os.close(self._write_fd)
        os.close(self.read_fd)


class Machine:
    """The simulated kernel: its chips under ``device_dir``, and their requests.

    ``schedule`` runs the debounce timers and ``monotonic`` is the kernel's
    clock (threads in real time by default; a test passes its event loop's
    timers and clock). A timer that fires early waits for the rest.
    """

    def __init__(
        self,
        device_dir: Path,
        chips: Iterable[SimulatedChip] = (),
        *,
        schedule: Scheduler = thread_timers,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create the chips' device files (plain files: only the names count)."""
        self.device_dir = device_dir
        self.schedule = schedule
        self.monotonic = monotonic
        self.chips: dict[str, SimulatedChip] = {}
        self.requests: list[KernelRequest] = []
        self._lock = threading.RLock()
        device_dir.mkdir(parents=True, exist_ok=True)
        for chip in chips:
            self.add_chip(chip)

    def add_chip(self, chip: SimulatedChip) -> None:
        """Plug in a chip: /dev/<name> appears."""
        (self.device_dir / chip.name).touch()
        self.chips[str(self.device_dir / chip.name)] = chip

    def chip(self, name: str) -> SimulatedChip:
        """The chip named ``gpiochipN``."""
        return self.chips[str(self.device_dir / name)]

    def line(self, chip_name: str, offset: int) -> SimulatedLine:
        """One line, for a test to look at."""
        return self.chip(chip_name).lines[offset]

    def pending(self) -> int:
        """Events queued and not yet read, over every live request."""
        with self._lock:
            return sum(len(r.queue) for r in self.requests if not r.released)

    # -- the outside world ----------------------------------------------------

    def drive(self, chip_name: str, offset: int, level: bool | None) -> None:
        """The wired device drives the line high, low, or lets go (``None``)."""
        line = self.line(chip_name, offset)
        with self._lock:
            before = line.physical
            line.wire = level
            self._level_changed(line, before)

    # -- what the character device does ----------------------------------------

    def open_chip(self, path: str) -> SimulatedChip:
        chip = self.chips.get(str(Path(path)))
        if chip is None:
            raise _os_error(errno.ENODEV if Path(path).exists() else errno.ENOENT)
        if chip.denied:
            raise _os_error(errno.EACCES)
        return chip

    def request(
        self,
        chip: SimulatedChip,
        settings: dict[int, LineSettings],
        consumer: str | None,
        event_buffer_size: int | None,
    ) -> KernelRequest:
        with self._lock:
            lines = [chip.lines[offset] for offset in settings]
            if any(line.request is not None for line in lines):
                raise _os_error(errno.EBUSY)
            for line_settings in settings.values():
                _check_flags(line_settings)
            request = KernelRequest(self, chip, lines, event_buffer_size or 0)
            for line in lines:
                line.request = request
                line.consumer = consumer or "?"
            self.requests.append(request)
            self._apply(request, settings)
            return request

    def reconfigure(
        self, request: KernelRequest, settings: dict[int, LineSettings]
    ) -> None:
        with self._lock:
            for line_settings in settings.values():
                _check_flags(line_settings)
            self._apply(request, settings)

    def release(self, request: KernelRequest) -> None:
        with self._lock:
            for line in request.lines:
                line.request = None
                line.consumer = ""
                line.debounce_generation += 1
            request.close()

    def values(self, request: KernelRequest, offsets: list[int]) -> list[Value]:
        with self._lock:
            result = []
            for offset in offsets:
                line = request.chip.lines[offset]
                level = line.debounced_level if line.debounce_us else line.physical
                result.append(Value(int(level != line.settings.active_low)))
            return result

    def set_values(self, request: KernelRequest, values: dict[int, Value]) -> None:
        with self._lock:
            for offset, value in values.items():
                line = request.chip.lines[offset]
                if line.direction is not Direction.OUTPUT:
                    raise _os_error(errno.EPERM)
                line.settings = replace(line.settings, output_value=value)

    def read(self, request: KernelRequest, max_events: int) -> list[EdgeEvent]:
        # Outside the lock: on a blocking fd this waits for an event.
        count = len(os.read(request.read_fd, max_events))
        with self._lock:
            return [request.queue.popleft() for _ in range(count)]

    def _apply(self, request: KernelRequest, settings: dict[int, LineSettings]) -> None:
        for offset, line_settings in settings.items():
            line = request.chip.lines[offset]
            before = line.physical
            debounced_before = line.debounce_us
            if line_settings.edge_detection is not Edge.NONE:
                line.direction = Direction.INPUT
            elif line_settings.direction is not Direction.AS_IS:
                line.direction = line_settings.direction
            if line_settings.bias is not Bias.AS_IS:
                line.bias = line_settings.bias
            line.settings = line_settings
            if line.debounce_us and not debounced_before:
                line.debounced_level = line.physical  # as the kernel, at set-up
            self._level_changed(line, before)

    def _level_changed(self, line: SimulatedLine, before: bool) -> None:
        if line.request is None or line.direction is not Direction.INPUT:
            return
        if line.physical == before:
            return  # no edge
        if line.debounce_us:
            # An edge restarts the period; the level counts once it held.
            line.debounce_generation += 1
            period = line.debounce_us / 1_000_000
            self._debounce_after(
                line, line.debounce_generation, self.monotonic() + period
            )
            return
        self._report(line, line.physical)

    def _debounce_after(self, line: SimulatedLine, generation: int, due: float) -> None:
        self.schedule(
            max(0.0, due - self.monotonic()),
            lambda: self._debounce_expired(line, generation, due),
        )

    def _debounce_expired(
        self, line: SimulatedLine, generation: int, due: float
    ) -> None:
        with self._lock:
            if generation != line.debounce_generation or not line.debounce_us:
                return
            if self.monotonic() + 1e-9 < due:
                self._debounce_after(line, generation, due)
                return
            if line.physical == line.debounced_level:
                return
            line.debounced_level = line.physical
            self._report(line, line.physical)

    def _report(self, line: SimulatedLine, level: bool) -> None:
        logical = level != line.settings.active_low
        edges = line.settings.edge_detection
        if line.request is None or edges is Edge.NONE:
            return
        if (edges is Edge.RISING and not logical) or (
            edges is Edge.FALLING and logical
        ):
            return
        line.request.put(line, logical, int(self.monotonic() * 1e9))


def _check_flags(settings: LineSettings) -> None:
    """Refuse what libgpiod or the kernel refuse (EINVAL, EOPNOTSUPP)."""
    is_input = (
        settings.direction is Direction.INPUT
        or settings.edge_detection is not Edge.NONE
    )
    is_output = settings.direction is Direction.OUTPUT
    if (
        (is_input and is_output)
        or settings.bias is Bias.UNKNOWN
        or (settings.drive is not Drive.PUSH_PULL and not is_output)
        or (settings.bias is not Bias.AS_IS and not (is_input or is_output))
    ):
        raise _os_error(errno.EINVAL)
    if settings.event_clock is Clock.HTE:
        raise _os_error(errno.EOPNOTSUPP)


# -- layouts of the Pis' chips ---------------------------------------------------


def _header_names(num_lines: int, first: int = 0) -> dict[int, str]:
    return {offset: f"GPIO{offset}" for offset in range(first, min(28, num_lines))}


def pi4_chips() -> list[SimulatedChip]:
    """A Pi 4: the header on gpiochip0, the firmware's expander on gpiochip1."""
    names = {0: "ID_SDA", 1: "ID_SCL", **_header_names(58, first=2)}
    return [
        SimulatedChip("gpiochip0", "pinctrl-bcm2711", 58, names),
        SimulatedChip("gpiochip1", "raspberrypi-exp-gpio", 8, {0: "BT_ON"}),
    ]


def pi5_chips(*, rp1_chip: int = 4) -> list[SimulatedChip]:
    """A Pi 5: the SoC's chips first, the header on RP1's chip.

    Older kernels number RP1's chip 4; newer ones 0 (the SoC's chips then
    start at 10).
    """
    soc_base = 0 if rp1_chip else 10
    soc = [
        SimulatedChip(f"gpiochip{soc_base + i}", f"gpio-brcmstb@107d5{suffix}", n)
        for i, (suffix, n) in enumerate(
            (("08500", 32), ("08520", 4), ("17c00", 17), ("17c20", 6))
        )
    ]
    rp1 = SimulatedChip(f"gpiochip{rp1_chip}", "pinctrl-rp1", 54, _header_names(54))
    return [*soc, rp1]


def pi3_chips_without_line_names() -> list[SimulatedChip]:
    """A Pi 3 on an old kernel: no line names, the BCM number is the offset."""
    return [SimulatedChip("gpiochip0", "pinctrl-bcm2835", 54)]
