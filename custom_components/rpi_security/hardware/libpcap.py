"""Filter expressions compiled to BPF by libpcap itself, called through ctypes.

libpcap is the reference compiler of the ``tcpdump`` filter language; we
only need its compiler, so it is loaded directly rather than through a
packet library (scapy would add about 20 MiB to Home Assistant's memory for
this one call). Loading the library and compiling block: run in an executor.
"""

import ctypes
import ctypes.util
import threading

# pcap_compile's netmask when none is known (only "ip broadcast" needs one).
PCAP_NETMASK_UNKNOWN = 0xFFFFFFFF
SNAPLEN = 65535
# Where distributions put the library (Debian's package names it 0.8).
_NAMES = ("libpcap.so.1", "libpcap.so.0.8", "libpcap.so")


class LibpcapError(Exception):
    """libpcap cannot be loaded, or it refused an expression."""


class _Program(ctypes.Structure):
    """``struct bpf_program``."""

    _fields_ = (("bf_len", ctypes.c_uint), ("bf_insns", ctypes.c_void_p))


_library: ctypes.CDLL | None = None
# Older libpcap compilers share state between calls: one compile at a time.
_lock = threading.Lock()


def _load() -> ctypes.CDLL:
    """The library, loaded once (blocking: may ask ldconfig where it is)."""
    global _library  # noqa: PLW0603  (one library per process)
    if _library is not None:
        return _library
    errors: list[str] = []
    found = ctypes.util.find_library("pcap")
    for name in (*_NAMES, *((found,) if found else ())):
        try:
            library = ctypes.CDLL(name)
        except OSError as err:
            errors.append(str(err))
            continue
        library.pcap_open_dead.argtypes = (ctypes.c_int, ctypes.c_int)
        library.pcap_open_dead.restype = ctypes.c_void_p
        library.pcap_compile.argtypes = (
            ctypes.c_void_p,
            ctypes.POINTER(_Program),
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_uint32,
        )
        library.pcap_compile.restype = ctypes.c_int
        library.pcap_geterr.argtypes = (ctypes.c_void_p,)
        library.pcap_geterr.restype = ctypes.c_char_p
        library.pcap_freecode.argtypes = (ctypes.POINTER(_Program),)
        library.pcap_freecode.restype = None
        library.pcap_close.argtypes = (ctypes.c_void_p,)
        library.pcap_close.restype = None
        _library = library
        return library
    raise LibpcapError(f"libpcap cannot be loaded: {'; '.join(errors)}")


def compile_filter(expression: str, linktype: int) -> tuple[int, bytes]:
    """``expression`` as an optimised BPF program for frames of ``linktype``.

    Returns the number of instructions and the instructions themselves
    (``struct bpf_insn`` each: u16 code, u8 jt, u8 jf, u32 k). Raises
    :class:`LibpcapError` when libpcap is missing or refuses the expression.
    """
    library = _load()
    with _lock:
        handle = library.pcap_open_dead(linktype, SNAPLEN)
        if not handle:
            raise LibpcapError(f"libpcap has no link type {linktype}")
        try:
            program = _Program()
            if (
                library.pcap_compile(
                    handle,
                    ctypes.byref(program),
                    expression.encode(),
                    1,
                    PCAP_NETMASK_UNKNOWN,
                )
                != 0
            ):
                reason = (library.pcap_geterr(handle) or b"").decode(errors="replace")
                raise LibpcapError(f"{expression!r}: {reason}")
            try:
                length = int(program.bf_len)
                return length, ctypes.string_at(program.bf_insns, length * 8)
            finally:
                library.pcap_freecode(ctypes.byref(program))
        finally:
            library.pcap_close(handle)
