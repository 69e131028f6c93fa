"""Evidence processing speed for bench/surge.py: Redress's image pipeline against a bare Pillow loop.

In one process, over the same phone screenshots: `complaints.processing.process_image` (verify the format and the
pixel cap, decode, turn upright when the picture says so, re-encode the display copy without its metadata, make the
thumbnail and hash it) against the least any re-encoding costs, `Image.open` then `save` as JPEG at the same quality.
Runs alternate between the two so both meet the same machine. One process is one Celery worker's share.
"""

import cProfile
import io
import pstats
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.intake import median

BARE_QUALITY = 85  # the display copy's quality in complaints.processing
MIN_SHARE = 0.005  # calls taking less of the pipeline's time are left out of the breakdown


def bare_pass(photos: list[bytes]) -> float:
    """Seconds to open and re-save every photo with Pillow alone."""
    from PIL import Image

    started = time.perf_counter()
    for data in photos:
        with Image.open(io.BytesIO(data)) as image:
            image.save(io.BytesIO(), "JPEG", quality=BARE_QUALITY)
    return time.perf_counter() - started


def redress_pass(photos: list[bytes]) -> float:
    """Seconds to put every photo through the evidence pipeline's image step."""
    from complaints.processing import process_image

    started = time.perf_counter()
    for data in photos:
        process_image(io.BytesIO(data))
    return time.perf_counter() - started


@dataclass
class EvidenceSpeed:
    photos: int
    redress: list[float] = field(default_factory=list)  # images per second, one per run
    bare: list[float] = field(default_factory=list)
    breakdown: list[tuple[str, float]] = field(default_factory=list)  # (step, share of the pipeline's time)

    @property
    def ratio(self) -> float:
        return median(self.redress) / median(self.bare)


def breakdown(photos: list[bytes]) -> list[tuple[str, float]]:
    """Share of process_image's time in each call it makes (decoding, converting, resizing, encoding,
    hashing), from a profile of one pass: the cumulative time of its direct callees, biggest first."""
    profile = cProfile.Profile()
    profile.enable()
    redress_pass(photos)
    profile.disable()
    stats = pstats.Stats(profile).stats
    pipeline = next(key for key in stats if key[0].endswith("processing.py") and key[2] == "process_image")
    total = stats[pipeline][3]
    shares: dict[str, float] = {}
    for (file, _line, name), entry in stats.items():
        if pipeline in entry[4]:
            label = f"{Path(file).stem}.{name}" if file != "~" else name
            shares[label] = shares.get(label, 0.0) + entry[4][pipeline][3] / total
    return sorted(((label, share) for label, share in shares.items() if share >= MIN_SHARE), key=lambda i: -i[1])


def measure(photos: list[bytes], runs: int) -> EvidenceSpeed:
    speed = EvidenceSpeed(photos=len(photos))
    redress_pass(photos[:2])  # imports and first-use setup out of the timing
    bare_pass(photos[:2])
    for _ in range(runs):
        speed.redress.append(len(photos) / redress_pass(photos))
        speed.bare.append(len(photos) / bare_pass(photos))
    speed.breakdown = breakdown(photos)
    return speed
