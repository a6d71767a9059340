"""Repair and merge polygons in a process of its own, so that its time and memory are bounded.

GEOS cannot be interrupted from a Streamlit thread, and repairing a ring that crosses itself
a million times takes minutes and gigabytes (a 3,000-vertex random ring: 71 s). The work
therefore runs here, started by ``frontline.territory.snapshots`` with a wall-clock limit
(the child is killed when it is reached) and an address-space limit it sets on itself.

Run as a script: WKB of a GeometryCollection on standard input, WKB of the merged geometry on
standard output; the first argument is the memory limit in bytes. It imports only shapely.
"""

from __future__ import annotations

import resource
import sys


def main() -> int:
    memory_limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    import shapely

    collection = shapely.from_wkb(sys.stdin.buffer.read())
    parts: list[object] = []
    for polygon in shapely.get_parts(collection):
        if not polygon.is_valid:
            # The 'structure' method keeps the drawn areas rather than the linework.
            polygon = shapely.make_valid(polygon, method="structure")
        parts.extend(
            part
            for part in shapely.get_parts(polygon)
            if part.geom_type in ("Polygon", "MultiPolygon")
        )
    merged = shapely.union_all(parts)
    sys.stdout.buffer.write(shapely.to_wkb(merged))
    return 0


if __name__ == "__main__":
    sys.exit(main())
