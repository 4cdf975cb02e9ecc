#!/usr/bin/env python3
"""Seeds for the screen decoder's fuzz target (scripts/fuzz): a few well-formed messages of the
screen stream's format (rust-core/src/screen.rs), so libFuzzer starts from frames a viewer paints
rather than from nothing. Tiles are compressed with the zstd command line tool."""
import json
import struct
import subprocess
import sys
from pathlib import Path


def zstd(data: bytes) -> bytes:
    return subprocess.run(["zstd", "-q", "-c", "-1"], input=data, capture_output=True, check=True).stdout


def frame(key, width, height, number, tiles, moves=(), scaled=None):
    flags = (1 if key else 0) | (2 if scaled else 0) | (4 if moves else 0)
    out = struct.pack("<BBHHIH", 1, flags, width, height, number, len(tiles))
    if scaled:
        out += struct.pack("<HH", *scaled)
    if moves:
        out += struct.pack("<H", len(moves))
        for m in moves:
            out += struct.pack("<6H", *m)
    for (x, y, w, h, data) in tiles:
        out += struct.pack("<4HI", x, y, w, h, len(data)) + data
    return out


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    # A 128x64 key frame: two tiles in one group.
    pixels = bytes([10, 20, 30, 255]) * (64 * 64 * 2)
    seeds = {
        "key": frame(True, 128, 64, 0, [(0, 0, 64, 64, zstd(pixels)), (64, 0, 64, 64, b"")]),
        # A change: part of a tile, after a scroll.
        "update": frame(False, 128, 64, 1, [(3, 5, 20, 7, zstd(bytes([1, 2, 3, 255]) * 140))],
                        moves=[(0, 0, 128, 40, 0, 16)]),
        "scaled": frame(True, 64, 36, 2, [(0, 0, 64, 36, zstd(bytes(64 * 36 * 4)))], scaled=(1920, 1080)),
        # A pointer (kind 2): at (5, 6) with a 2x2 shape, hot spot (1, 1).
        "cursor": struct.pack("<BBHH", 2, 1, 5, 6) + struct.pack("<4H", 1, 1, 2, 2) + bytes(16),
        # The monitors (kind 3): two of them, the whole desktop shown.
        "monitors": bytes([3]) + json.dumps({"monitors": [
            {"name": "DP-1", "x": 0, "y": 0, "width": 1920, "height": 1080, "primary": True},
            {"name": "HDMI-1", "x": 1920, "y": 0, "width": 1280, "height": 1024, "primary": False}],
            "shown": None}).encode(),
    }
    for name, data in seeds.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main(sys.argv[1])
