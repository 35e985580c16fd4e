"""A PNG of a load-test phase over time: turns per second above, webhook p99 below (Pillow only).

    plot_timeline(summary["timeline"], Path("callers-timeline.png"), "1000 callers, think: prompt")
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, PANEL_HEIGHT, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, GAP = 1000, 260, 80, 20, 40, 50
BACKGROUND, AXIS, GRID, TEXT = "white", (60, 60, 60), (225, 225, 225), (20, 20, 20)
SERIES = {"turns_per_second": ((31, 119, 180), "turns/s"), "p99_ms": ((214, 39, 40), "webhook p99 (ms)")}


def _nice_top(value: float) -> float:
    """A round axis maximum at or above `value`."""
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if value <= step * factor:
            return step * factor
    return step * 10


def _panel(draw: ImageDraw.ImageDraw, font, top: int, points: list[tuple[float, float]], key: str,
           duration: float, target: float | None) -> None:
    colour, label = SERIES[key]
    left, right, bottom = MARGIN_LEFT, WIDTH - MARGIN_RIGHT, top + PANEL_HEIGHT
    peak = _nice_top(max([value for _, value in points] + [target or 0]))
    for tick in range(5):
        y = bottom - (bottom - top) * tick / 4
        draw.line([(left, y), (right, y)], fill=GRID)
        draw.text((8, y - 6), f"{peak * tick / 4:,.0f}", fill=TEXT, font=font)
    for tick in range(6):
        x = left + (right - left) * tick / 5
        draw.text((x - 10, bottom + 6), f"{duration * tick / 5:.0f} s", fill=TEXT, font=font)
    draw.rectangle([left, top, right, bottom], outline=AXIS)
    draw.text((left, top - 16), label, fill=colour, font=font)
    if target is not None:
        y = bottom - (bottom - top) * target / peak
        draw.line([(left, y), (right, y)], fill=(120, 120, 120), width=1)
        draw.text((right - 120, y - 14), f"target {target:.0f}", fill=(120, 120, 120), font=font)
    scaled = [(left + (right - left) * t / duration, bottom - (bottom - top) * value / peak) for t, value in points]
    if len(scaled) > 1:
        draw.line(scaled, fill=colour, width=2)
    elif scaled:
        x, y = scaled[0]
        draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=colour)


def plot_timeline(timeline: list[dict], path: Path, title: str, *, p99_target_ms: float | None = None) -> Path:
    """Draw turns/s and p99 per interval of `timeline` (items with t, turns_per_second, p99_ms) to `path`."""
    height = MARGIN_TOP + 2 * PANEL_HEIGHT + GAP + 40
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    draw.text((MARGIN_LEFT, 8), title, fill=TEXT, font=font)
    step = timeline[1]["t"] - timeline[0]["t"] if len(timeline) > 1 else 5
    duration = max((timeline[-1]["t"] + step) if timeline else 1, 1)
    for index, key in enumerate(("turns_per_second", "p99_ms")):
        points = [(item["t"] + step / 2, item[key]) for item in timeline]
        _panel(draw, font, MARGIN_TOP + index * (PANEL_HEIGHT + GAP), points, key, duration,
               p99_target_ms if key == "p99_ms" else None)
    image.save(path)
    return path
