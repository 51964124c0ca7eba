"""The page images declass writes (8-bit grey, non-interlaced PNG), read
back in pure Python for the tests: tests/cli/test_scans_redact.py (Debian's
python3) and tests/security/oracle.py (any python3) check their pixels."""
import zlib


def add_bytes(a, b):
    """a + b byte by byte, modulo 256 (PNG's filter Up), on whole rows at
    once: the low seven bits of each byte are added without a carry out
    of the byte, the top bit is the exclusive or of the three."""
    n = len(a)
    lo, hi = int.from_bytes(b"\x7f" * n, "little"), int.from_bytes(b"\x80" * n, "little")
    x, y = int.from_bytes(a, "little"), int.from_bytes(b, "little")
    return (((x & lo) + (y & lo)) ^ ((x ^ y) & hi)).to_bytes(n, "little")


def png_rows(data):
    """(width, height, rows) of an 8-bit grey, non-interlaced PNG (what
    declass writes), else None."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    at, idat, w, h = 8, b"", 0, 0
    while at + 8 <= len(data):
        n = int.from_bytes(data[at:at + 4], "big")
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + n]
        if kind == b"IHDR":
            w, h = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            if (body[8], body[9], body[12]) != (8, 0, 0):
                return None
        elif kind == b"IDAT":
            idat += body
        at += 12 + n
    try:
        raw = zlib.decompress(idat)
    except zlib.error:
        return None
    if len(raw) != h * (w + 1):
        return None
    rows, prev = [], bytes(w)
    for y in range(h):
        f, line = raw[y * (w + 1)], raw[y * (w + 1) + 1:(y + 1) * (w + 1)]
        if f == 0:
            cur = line
        elif f == 2:
            cur = add_bytes(line, prev)
        else:
            cur = bytearray(line)
            for x in range(w):
                a = cur[x - 1] if x else 0
                b, c = prev[x], prev[x - 1] if x else 0
                if f == 1:
                    cur[x] = (cur[x] + a) & 255
                elif f == 3:
                    cur[x] = (cur[x] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) \
                        & 255
            cur = bytes(cur)
        rows.append(cur)
        prev = cur
    return w, h, rows
