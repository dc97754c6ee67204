#!/usr/bin/env python3
"""Lists the GPU code a CUDA library carries: which compute capabilities have SASS (cubin) and which have PTX.

Reads the ELF section .nv_fatbin of a shared library (or of every .so inside a jar) and walks its fat binaries
(magic 0xBA55ED50) and their entries (kind 1 = PTX, 2 = ELF/SASS; arch = compute capability x 10), with the
standard library only, so it needs no CUDA toolkit (cuobjdump --list-elf / --list-ptx print the same).

    /usr/bin/python3 src/test/python/fatbin_archs.py ~/.m2/repository/org/nd4j/nd4j-cuda-11.6/1.0.0-M2.1/\\
        nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64-cudnn.jar

A GPU runs a kernel if there is SASS for its major version with a minor version not above its own (sm_86 runs on
8.6 and 8.9, not on 9.0), or PTX of a compute capability not above its own that the driver compiles at load time.
"""
import collections
import mmap
import struct
import sys
import tempfile
import zipfile

FATBIN_MAGIC = 0xBA55ED50
KINDS = {1: "ptx", 2: "sass"}


def section(data, name):
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise SystemExit("not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def header(i):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
    names_offset = header(shstrndx)[4]
    for i in range(shnum):
        h = header(i)
        end = data.find(b"\0", names_offset + h[0])
        if data[names_offset + h[0]:end].decode() == name:
            return h[4], h[5]
    return None


def archs(data):
    found = section(data, ".nv_fatbin")
    if found is None:
        return collections.Counter()
    offset, size = found
    counts = collections.Counter()
    position, end = offset, offset + size
    while position + 16 <= end:
        magic, _version, header_size, fat_size = struct.unpack_from("<IHHQ", data, position)
        if magic != FATBIN_MAGIC:
            position += 8  # fat binaries are 8-byte aligned; skip padding
            continue
        entry, entries_end = position + header_size, position + header_size + fat_size
        while entry < entries_end:
            kind, _unknown, entry_header, entry_size = struct.unpack_from("<HHIQ", data, entry)
            arch, = struct.unpack_from("<I", data, entry + 28)
            counts[(KINDS.get(kind, f"kind{kind}"), arch)] += 1
            entry += entry_header + entry_size
        position = entries_end
    return counts


def report(name, path):
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        counts = archs(data)
    if not counts:
        return
    print(name)
    for kind in ("sass", "ptx"):
        caps = sorted({arch for (k, arch) in counts if k == kind})
        listed = ", ".join(f"sm_{a} ({counts[(kind, a)]} entries)" for a in caps) or "none"
        print(f"  {kind}: {listed}")


def main():
    for argument in sys.argv[1:]:
        if argument.endswith(".jar"):
            with zipfile.ZipFile(argument) as jar:
                for member in jar.namelist():
                    if member.endswith(".so") or ".so." in member:
                        with tempfile.NamedTemporaryFile(suffix=".so") as tmp:
                            with jar.open(member) as source:
                                while chunk := source.read(1 << 24):
                                    tmp.write(chunk)
                            tmp.flush()
                            report(f"{argument}!{member}", tmp.name)
        else:
            report(argument, argument)


if __name__ == "__main__":
    main()
