"""Files read safely: regular files only, at most a set number of bytes, UTF-8 checked with
the line and byte of the first bad byte.

A rule or data file may come from anyone: a path to ``/dev/zero`` or a named pipe must be
refused at once (it would fill memory or wait for ever), and a file in another encoding
must say where, not only that.
"""

from __future__ import annotations

import os
import stat

from .errors import FortressScoreError, Problem

__all__ = ["MAX_DIGITS", "check_file", "decode_utf8", "read_bytes", "whole_number"]

MAX_DIGITS = 300
"""Digits a whole number may have and still be read as one: float64 ends near 1.8e308, so
a longer one is read as a float (infinity), which the checks then refuse with its place."""


def whole_number(text: str) -> int | float:
    """A whole number written in a file; one too long for Python's int parsing is read as a
    float (infinity), which the checks then refuse with its place."""
    return int(text) if len(text.lstrip("+-")) <= MAX_DIGITS else float(text)


def check_file(path: str, limit: int, error: type[FortressScoreError], what: str) -> None:
    """``error`` naming the file unless it is a regular file of at most ``limit`` bytes
    (for files another library opens)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise error(Problem(f"cannot read {what}: {exc.strerror}", file=path)) from exc
    if not stat.S_ISREG(info.st_mode):
        kind = ("a directory" if stat.S_ISDIR(info.st_mode) else
                "a named pipe" if stat.S_ISFIFO(info.st_mode) else "a device or socket")
        raise error(Problem(f"{what} must be a regular file; this is {kind}", file=path))
    if info.st_size > limit:
        raise error(Problem(f"{what} is {info.st_size:,} bytes; at most {limit:,} are read",
                            file=path))


def read_bytes(path: str, limit: int, error: type[FortressScoreError], what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``error`` naming the file else."""
    check_file(path, limit, error, what)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise error(Problem(f"cannot read {what}: {exc.strerror}", file=path)) from exc
    if len(raw) > limit:  # it grew while being read
        raise error(Problem(f"{what} is over {limit:,} bytes; at most {limit:,} are read",
                            file=path))
    return raw


def decode_utf8(raw: bytes, path: str, error: type[FortressScoreError], what: str,
                hint: str = "") -> str:
    """UTF-8 text (a BOM dropped); ``error`` at the line and column of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(Problem(
            f"{what} must be UTF-8; byte {exc.start} (0x{raw[exc.start]:02x}, byte {col} of "
            f"line {line}) is not{hint}", file=path, line=line, col=col)) from None
