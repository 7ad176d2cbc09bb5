"""The frames of a replay tape, drawn with Pillow: cards, captioned shots, found-footage finish.

Every frame is the picture with a caption bar under it (nothing of the picture
is covered): the turn, the fate and the choice on the left, the date stamp and
the tape counter on the right. The title and closing cards have the same size.
A flipbook shot (an animated GIF picture) is expanded into its own frames,
stretched to the shot's hold time, so a turn is never dropped or reordered.

Both encoders draw through :func:`render_frames`; it composes at the size the
encoder asks for (``scale``), so captions stay sharp when a tape is shrunk. With
``workers``, pictures are decoded and frames composed a few frames ahead in
threads (Pillow lets go of the GIL while it decodes); they come out in order
and byte for byte the same::

    for image, duration_ms in render_frames(script, scale=0.8, workers=2):
        ...
"""

from __future__ import annotations

import functools
import io
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageSequence

from glitchcart.adapters.pixel_font import HEIGHT, draw_text, text_width, wrap
from glitchcart.adapters.tapes.work_ahead import in_order, thread_pool
from glitchcart.core.fate import Fate
from glitchcart.core.seeds import rng_for
from glitchcart.core.tape import TapeCard, TapeLook, TapeScript, TapeShot

MAX_PICTURE_PIXELS = 4096 * 4096
Frame = tuple[Image.Image, int]  # an RGB image and how long it shows, in ms
Progress = Callable[[str, int, int], None]  # (stage, done, total); called from the worker thread
Finish = Callable[[Image.Image], Image.Image]  # last touch on each frame, e.g. a quantizer
_RED = (235, 64, 52)
_GOLD = (255, 210, 90)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True, slots=True)
class Timing:
    """How long each part of a tape shows, in milliseconds."""

    title_ms: int = 2000
    shot_ms: int = 1800
    closing_ms: int = 3000


DEFAULT_TIMING = Timing()


@dataclass(frozen=True, slots=True)
class Layout:
    width: int  # picture and frame width (even)
    height: int  # picture height
    unit: int  # one font pixel, in frame pixels
    bar: int  # caption bar height (so that the frame height is even)

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height + self.bar


def layout_for(picture: tuple[int, int], scale: float = 1.0) -> Layout:
    """Frame geometry for pictures of ``picture`` size, scaled by ``scale``."""
    width = max(32, round(picture[0] * scale) // 2 * 2)
    height = max(18, round(picture[1] * scale))
    unit = max(1, width // 256)
    bar = unit * (3 + HEIGHT + 3 + HEIGHT + 2 + HEIGHT + 3)
    if (height + bar) % 2:
        bar += 1
    return Layout(width, height, unit, bar)


def open_picture(data: bytes | None, *, load: bool = True) -> Image.Image | None:
    """A picture (still or flipbook), or None if it cannot be shown.

    With ``load=False`` only the header is read: enough for its size and frame count.
    """
    if not data:
        return None
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PICTURE_PIXELS:
            return None
        if load:
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return image


def picture_size(script: TapeScript) -> tuple[int, int]:
    """The size of the first shot's picture that opens, else the script's default size."""
    for shot in script.shots:
        image = open_picture(shot.picture, load=False)
        if image is not None:
            return image.size
    return script.size


def count_frames(script: TapeScript) -> int:
    """How many frames :func:`render_frames` will yield, from the pictures' headers."""
    total = 2
    for shot in script.shots:
        image = open_picture(shot.picture, load=False)
        try:
            total += max(1, getattr(image, "n_frames", 1)) if image is not None else 1
        except (OSError, ValueError, SyntaxError):
            total += 1  # a broken flipbook shows as one "no signal" frame
    return total


def render_frames(
    script: TapeScript,
    *,
    scale: float = 1.0,
    timing: Timing = DEFAULT_TIMING,
    picture: tuple[int, int] | None = None,
    on_frame: Callable[[], None] | None = None,
    then: Finish | None = None,
    workers: int = 0,
) -> Iterator[Frame]:
    """Title card, every shot in order, closing card; ``on_frame`` after each frame.

    ``then`` is applied to each finished frame (in a worker thread, if any);
    ``workers`` threads work ahead of the caller (0: all in the calling thread).
    """
    lay = layout_for(picture or picture_size(script), scale)
    look = script.look

    def finish(image: Image.Image) -> Image.Image:
        done = _finish(image, look, lay)
        return done if then is None else then(done)

    def pictures(shot: TapeShot) -> list[Frame]:
        return list(_shot_pictures(shot, lay, timing.shot_ms))

    def jobs(pool: Executor | None) -> Iterator[tuple[Callable[[], Image.Image], int]]:
        title, closing = script.title, script.closing
        yield lambda: finish(_card(title, look, lay, script.seed, "REPLAY TAPE")), timing.title_ms
        clock = timing.title_ms
        loaded = in_order(pool, pictures, script.shots, workers + 1)
        for shot, shown in zip(script.shots, loaded, strict=True):
            for image, ms in shown:
                yield functools.partial(_shot_frame, finish, image, shot, look, lay, clock), ms
                clock += ms
        yield lambda: finish(_card(closing, look, lay, script.seed + 1, None)), timing.closing_ms

    def draw(job: tuple[Callable[[], Image.Image], int]) -> Frame:
        return job[0](), job[1]

    with thread_pool(workers, "tape-frames") as pool:
        for frame in in_order(pool, draw, jobs(pool), 2 * workers + 1):
            if on_frame is not None:
                on_frame()
            yield frame


def title_card(script: TapeScript, lay: Layout, kicker: str = "REPLAY TAPE") -> Image.Image:
    """The script's title card, finished, as a tape shows it (a film uses its own kicker)."""
    return _finish(_card(script.title, script.look, lay, script.seed, kicker), script.look, lay)


def closing_card(script: TapeScript, lay: Layout) -> Image.Image:
    """The script's closing card, finished, as a tape shows it."""
    return _finish(_card(script.closing, script.look, lay, script.seed + 1, None), script.look, lay)


def captioned_frame(
    picture: Image.Image, shot: TapeShot, look: TapeLook, lay: Layout, clock_ms: int
) -> Image.Image:
    """A picture of the layout's picture size with the shot's caption bar under it, finished."""
    return _finish(_captioned(picture, shot, look, lay, clock_ms), look, lay)


def _shot_frame(
    finish: Finish, image: Image.Image, shot: TapeShot, look: TapeLook, lay: Layout, clock: int
) -> Image.Image:
    return finish(_captioned(image, shot, look, lay, clock))


class FrameCounter:
    """An ``on_frame`` callback: counts the frames drawn and reports ``stage`` progress."""

    def __init__(self, progress: Progress | None, stage: str, total: int) -> None:
        self.progress = progress
        self.stage = stage
        self.total = total
        self.done = 0
        if progress is not None:
            progress(stage, 0, total)

    def __call__(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.stage, self.done, max(self.total, self.done))


# ---------------------------------------------------------------- shots


def _shot_pictures(shot: TapeShot, lay: Layout, hold_ms: int) -> Iterator[Frame]:
    """The shot's picture(s) at the layout size, with display times filling ``hold_ms``."""
    image = open_picture(shot.picture)
    if image is None:
        yield _no_signal(lay, shot.turn), hold_ms
        return
    if not getattr(image, "is_animated", False):  # a still: no seeking, decoded once
        yield _fit(image, lay, owned=True), hold_ms
        return
    frames = [
        (_fit(frame, lay), int(frame.info.get("duration") or 100))
        for frame in ImageSequence.Iterator(image)
    ]
    native = sum(ms for _, ms in frames)
    stretch = max(1.0, hold_ms / native)
    for picture, ms in frames:
        yield picture, max(20, round(ms * stretch / 10) * 10)  # GIF counts in 1/100 s


def _fit(frame: Image.Image, lay: Layout, *, owned: bool = False) -> Image.Image:
    """The picture as RGB at the layout's picture size, cropped to fill if the aspect differs.

    An ``owned`` frame (nothing else reads or changes it) may be returned as it is.
    """
    rgb = frame if owned and frame.mode == "RGB" else frame.convert("RGB")
    if rgb.size == (lay.width, lay.height):
        return rgb
    sw, sh = rgb.size
    target = lay.width / lay.height
    if abs(sw / sh - target) > 0.01:  # centre crop to the target aspect
        if sw / sh > target:
            cw = round(sh * target)
            rgb = rgb.crop(((sw - cw) // 2, 0, (sw - cw) // 2 + cw, sh))
        else:
            ch = round(sw / target)
            rgb = rgb.crop((0, (sh - ch) // 2, sw, (sh - ch) // 2 + ch))
    smaller = rgb.width > lay.width
    resample = Image.Resampling.BOX if smaller else Image.Resampling.BILINEAR
    return rgb.resize((lay.width, lay.height), resample)


def _no_signal(lay: Layout, turn: int) -> Image.Image:
    """What a turn without a picture shows: static and NO SIGNAL."""
    image = _grain(Image.new("RGB", (lay.width, lay.height), (24, 24, 28)), 0.5, turn)
    draw = ImageDraw.Draw(image)
    size = lay.unit * 2
    text = "NO SIGNAL"
    x, y = (lay.width - text_width(text, size)) // 2, (lay.height - HEIGHT * size) // 2
    draw_text(draw, text, x, y, size, (220, 220, 220))
    return image


def _captioned(
    picture: Image.Image, shot: TapeShot, look: TapeLook, lay: Layout, clock_ms: int
) -> Image.Image:
    frame = Image.new("RGB", lay.size, look.bar)
    frame.paste(picture, (0, 0))
    draw = ImageDraw.Draw(frame)
    u = lay.unit
    pad = 3 * u
    y = lay.height + pad
    draw.line((0, lay.height, lay.width, lay.height), fill=look.accent, width=max(1, u // 2))
    x = pad
    draw_text(draw, shot.heading, x, y, u, look.ink)
    x += text_width(shot.heading, u) + 3 * u
    if shot.fate is not None:
        colour = {Fate.LUCKY: _GOLD, Fate.UNLUCKY: _RED}.get(shot.fate, _dim(look.ink))
        draw_text(draw, shot.fate.value, x, y, u, colour)
        x += text_width(shot.fate.value, u) + 3 * u
    if shot.dead:
        draw_text(draw, "DEAD", x, y, u, _RED)
        x += text_width("DEAD", u) + 3 * u
    counter = _counter(clock_ms)
    stamp = f"{_date(shot.stamp)}  {counter}"
    right = stamp if x + text_width(stamp, u) + pad <= lay.width else counter
    if x + text_width(right, u) + pad <= lay.width:
        draw_text(draw, right, lay.width - pad - text_width(right, u), y, u, _dim(look.ink))
    columns = (lay.width - 2 * pad) // (4 * u) - 2
    for i, line in enumerate(wrap(shot.caption, columns, max_lines=2)):
        prefix = "> " if i == 0 else "  "
        draw_text(draw, prefix + line, pad, y + (HEIGHT + 3 + i * (HEIGHT + 2)) * u, u, look.ink)
    return frame


def _counter(ms: int) -> str:
    seconds = ms // 1000
    return f"PLAY {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _date(stamp: float) -> str:
    t = time.gmtime(max(0.0, stamp))
    hour = t.tm_hour % 12 or 12
    half = "PM" if t.tm_hour >= 12 else "AM"
    return f"{_MONTHS[t.tm_mon - 1]}.{t.tm_mday:02d} {t.tm_year} {hour}:{t.tm_min:02d}{half}"


def _dim(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    return (colour[0] * 3 // 4, colour[1] * 3 // 4, colour[2] * 3 // 4)


# ---------------------------------------------------------------- cards


def _card(
    card: TapeCard, look: TapeLook, lay: Layout, seed: int, kicker: str | None
) -> Image.Image:
    image = Image.new("RGB", lay.size, look.bar)
    if look.grain > 0:
        image = _grain(image, look.grain, seed)
    draw = ImageDraw.Draw(image)
    w, h, u = lay.width, lay.height + lay.bar, lay.unit
    big = u * 3 if w >= 12 * 3 * 4 * u else u * 2
    title = wrap(card.title, max(4, (w - 8 * u) // (4 * big)), max_lines=2)
    small = [ln for text in card.lines for ln in wrap(text, (w - 8 * u) // (4 * u), max_lines=2)]
    block = len(title) * (HEIGHT + 2) * big + 4 * u + len(small) * (HEIGHT + 3) * u
    y = max(2 * u, (h - block) // 2)
    if kicker:
        draw_text(
            draw, kicker, (w - text_width(kicker, u)) // 2, max(u, y - 10 * u), u, look.accent
        )
    for line in title:
        colour = _RED if card.title == "SIGNAL LOST" else look.ink
        draw_text(draw, line, (w - text_width(line, big)) // 2, y, big, colour)
        y += (HEIGHT + 2) * big
    draw.line((w // 4, y + u, w - w // 4, y + u), fill=look.accent, width=u)
    y += 4 * u
    for line in small:
        draw_text(draw, line, (w - text_width(line, u)) // 2, y, u, _dim(look.ink))
        y += (HEIGHT + 3) * u
    return image


# ---------------------------------------------------------------- finish


def _finish(image: Image.Image, look: TapeLook, lay: Layout) -> Image.Image:
    if look.scanlines:
        image = ImageChops.multiply(image, _scanlines(image.width, image.height, lay.unit))
    return image


@functools.lru_cache(maxsize=8)
def _scanlines(w: int, h: int, unit: int) -> Image.Image:
    """Every other line of ``unit`` rows darkened a little, like a CRT."""
    rows = bytes(255 if (y // unit) % 2 == 0 else 212 for y in range(h))
    return (
        Image.frombytes("L", (1, h), rows).resize((w, h), Image.Resampling.NEAREST).convert("RGB")
    )


def _grain(image: Image.Image, amount: float, seed: int) -> Image.Image:
    """Seeded static on a card, two pixels per grain."""
    rng: random.Random = rng_for(seed, "tape-grain")
    gw, gh = max(1, image.width // 2), max(1, image.height // 2)
    spread = max(1, round(70 * min(1.0, amount)))
    lut = [v * spread // 255 for v in range(256)]
    noise = Image.frombytes("L", (gw, gh), rng.randbytes(gw * gh)).point(lut)
    noise = noise.resize(image.size, Image.Resampling.NEAREST).convert("RGB")
    return ImageChops.add(image, noise, 1.0, -(spread // 2))
