#!/usr/bin/env python3
"""tar_tamper.py: what tests/api/test_audit.c does to evidence packs, with
Python's tarfile only.

  tar_tamper.py list PACK              # the regular files, one a line
  tar_tamper.py flip PACK MEMBER OUT   # a copy with one byte of MEMBER changed
"""
import io
import sys
import tarfile


def main():
    if sys.argv[1] == "list":
        with tarfile.open(sys.argv[2]) as t:
            for m in t.getmembers():
                if m.isfile():
                    print(m.name)
        return 0
    src, member, out = sys.argv[2], sys.argv[3], sys.argv[4]
    with tarfile.open(src) as t, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as w:
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else None
            if m.name == member:
                b = bytearray(data)
                b[len(b) // 2] ^= 0x01
                data = bytes(b)
            w.addfile(m, io.BytesIO(data) if data is not None else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
