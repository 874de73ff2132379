"""What a goal's picture must be: JPEG, PNG or GIF, judged by its content, not its name.

Shared by the server (which decides) and the terminal client (which checks before sending,
so a wrong file is refused at once in the server's words). Structural checks only, with
the standard library: the file must start as its type says, hold the parts that type
requires in their order, and end where that type ends. Nothing is decoded; a file that
merely starts with a picture's first bytes and carries something else is refused.
"""

from __future__ import annotations

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GIF_HEADERS = (b"GIF87a", b"GIF89a")
JPEG_SOI = b"\xff\xd8"
JPEG_EOI = b"\xff\xd9"

# JPEG markers that may stand before the first scan: start-of-frame (C0-CF but C4, C8,
# CC), Huffman and arithmetic tables (C4, CC), quantisation (DB), restart interval (DD),
# number of lines (DC), application segments (E0-EF), comments (FE).
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_BEFORE_SCAN = _JPEG_SOF | {0xC4, 0xCC, 0xDB, 0xDC, 0xDD, 0xFE, *range(0xE0, 0xF0)}
_JPEG_SOS = 0xDA


def picture_type(data: bytes) -> str | None:
    """The MIME type of a well-formed JPEG, PNG or GIF; None for anything else."""
    if data.startswith(PNG_SIGNATURE):
        return "image/png" if _png_ok(data) else None
    if data.startswith(GIF_HEADERS):
        return "image/gif" if _gif_ok(data) else None
    if data.startswith(JPEG_SOI):
        return "image/jpeg" if _jpeg_ok(data) else None
    return None


def _png_ok(data: bytes) -> bool:
    """Signature, IHDR first (13 bytes, non-zero size), chunks in bounds, IEND last."""
    pos = len(PNG_SIGNATURE)
    first = True
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        if not kind.isalpha() or length > 0x7FFFFFFF:
            return False
        end = pos + 12 + length
        if end > len(data):
            return False
        if first:
            if kind != b"IHDR" or length != 13:
                return False
            width = int.from_bytes(data[pos + 8 : pos + 12], "big")
            height = int.from_bytes(data[pos + 12 : pos + 16], "big")
            if width == 0 or height == 0:
                return False
            first = False
        if kind == b"IEND":
            return length == 0 and end == len(data)
        pos = end
    return False


def _gif_ok(data: bytes) -> bool:
    """Header, logical screen descriptor (and its colour table), blocks, trailer 0x3B last."""
    pos = 6
    if len(data) < pos + 7:
        return False
    width = int.from_bytes(data[pos : pos + 2], "little")
    height = int.from_bytes(data[pos + 2 : pos + 4], "little")
    packed = data[pos + 4]
    if width == 0 or height == 0:
        return False
    pos += 7
    if packed & 0x80:  # a global colour table follows
        pos += 3 * (2 ** ((packed & 0x07) + 1))
    images = 0
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:  # the trailer: the end of the file
            return images > 0 and pos == len(data) - 1
        if block == 0x21:  # an extension: label, then data sub-blocks
            pos = _gif_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # an image: descriptor, local colour table, LZW size, data
            if pos + 10 > len(data):
                return False
            local = data[pos + 9]
            pos += 10
            if local & 0x80:
                pos += 3 * (2 ** ((local & 0x07) + 1))
            pos = _gif_sub_blocks(data, pos + 1)
            images += 1
        else:
            return False
        if pos < 0:
            return False
    return False


def _gif_sub_blocks(data: bytes, pos: int) -> int:
    """The position after a run of data sub-blocks and its zero terminator, or -1."""
    while pos < len(data):
        size = data[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size
    return -1


def _jpeg_ok(data: bytes) -> bool:
    """SOI, then marker segments in bounds (a frame among them) up to the first scan, and
    EOI as the last two bytes."""
    if len(data) < 8 or not data.endswith(JPEG_EOI):
        return False
    pos = len(JPEG_SOI)
    frame = False
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == _JPEG_SOS:
            return frame
        if marker not in _JPEG_BEFORE_SCAN:
            return False
        frame = frame or marker in _JPEG_SOF
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            return False
        pos += 2 + length
    return False


def looks_like_picture(data: bytes) -> bool:
    """Starts as a JPEG, PNG or GIF does (whether or not the rest is whole)."""
    return data.startswith((PNG_SIGNATURE, *GIF_HEADERS, JPEG_SOI))
