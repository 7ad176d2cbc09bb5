"""H.264 encoding and clip joining with the ffmpeg binary that imageio-ffmpeg ships.

The binary comes inside the ``imageio-ffmpeg`` wheel, so nothing is downloaded at
run time. ffmpeg writes into a private temporary folder, never into the media
folder; the media store publishes the finished bytes atomically. A failing
ffmpeg (or a missing binary) becomes :class:`ProviderError` with the tail of
its error output.

>>> mp4 = encode_h264(frames, (512, 338), fps=10)   # frames: RGB Pillow images
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from PIL import Image

from glitchcart.errors import ProviderError

H264 = ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart")


def ffmpeg_exe() -> str:
    """The path of the bundled ffmpeg binary."""
    try:
        import imageio_ffmpeg  # type: ignore[import-untyped]

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError, OSError) as exc:
        raise ProviderError(f"ffmpeg is not available: {exc}") from exc


def h264_options(crf: int, preset: str) -> list[str]:
    return [*H264, "-crf", str(crf), "-preset", preset]


def encode_h264(
    frames: Iterable[Image.Image],
    size: tuple[int, int],
    *,
    fps: float,
    crf: int = 23,
    preset: str = "veryfast",
) -> bytes:
    """RGB frames of ``size`` (even width and height) as MP4 bytes."""
    width, height = size
    if width % 2 or height % 2:
        raise ValueError(f"H.264 needs even frame sizes, got {width}x{height}")
    raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", f"{fps:g}"]
    with tempfile.TemporaryDirectory(prefix="glitchcart-ffmpeg-") as tmp:
        out = Path(tmp) / "out.mp4"
        args = [*raw, "-i", "-", "-an", *h264_options(crf, preset), str(out)]
        _run(args, Path(tmp), _raw(_sized(frames, size)))
        return out.read_bytes()


def join_clips(
    clips: Sequence[bytes], size: tuple[int, int], *, fps: float, crf: int = 23
) -> bytes:
    """MP4 clips, one after another, re-encoded to one size and frame rate."""
    if not clips:
        raise ValueError("there are no clips to join")
    fit = f"{_fit(size, fps)},format=yuv420p"
    with tempfile.TemporaryDirectory(prefix="glitchcart-ffmpeg-") as tmp:
        folder = Path(tmp)
        listing = []
        for i, clip in enumerate(clips):
            path = folder / f"clip{i:05d}.mp4"
            path.write_bytes(clip)
            listing.append(f"file '{path.name}'\n")
        (folder / "clips.txt").write_text("".join(listing), encoding="ascii")
        out = folder / "film.mp4"
        args = ["-f", "concat", "-safe", "0", "-i", "clips.txt", "-an", "-vf", fit]
        _run([*args, *h264_options(crf, "veryfast"), str(out)], folder, None)
        return out.read_bytes()


def decode_frames(clip: bytes, size: tuple[int, int], *, fps: float) -> list[Image.Image]:
    """An MP4 clip's frames as RGB images, fitted to ``size`` (letterboxed) at ``fps``."""
    width, height = size
    with tempfile.TemporaryDirectory(prefix="glitchcart-ffmpeg-") as tmp:
        folder = Path(tmp)
        (folder / "clip.mp4").write_bytes(clip)
        args = ["-i", "clip.mp4", "-an", "-vf", _fit(size, fps)]
        _run([*args, "-f", "rawvideo", "-pix_fmt", "rgb24", "frames.rgb"], folder, None)
        data = (folder / "frames.rgb").read_bytes()
    step = width * height * 3
    return [
        Image.frombytes("RGB", size, data[at : at + step])
        for at in range(0, len(data) - step + 1, step)
    ]


def _fit(size: tuple[int, int], fps: float) -> str:
    """The ffmpeg filter that fits a clip into ``size`` (letterboxed) at ``fps``."""
    width, height = size
    return (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,fps={fps:g}"
    )


def _sized(frames: Iterable[Image.Image], size: tuple[int, int]) -> Iterable[Image.Image]:
    for frame in frames:
        if frame.size != size or frame.mode != "RGB":
            raise ValueError(f"a frame of {frame.size} {frame.mode} in a video of {size} RGB")
        yield frame


def _raw(frames: Iterable[Image.Image]) -> Iterator[bytes]:
    """Each frame's pixels; a frame held for several video frames is read out once."""
    last: Image.Image | None = None
    data = b""
    for frame in frames:
        if frame is not last:
            last, data = frame, frame.tobytes()
        yield data


def _run(args: list[str], folder: Path, stdin: Iterable[bytes] | None) -> None:
    """Run ffmpeg in ``folder``, feeding ``stdin``; raise ProviderError if it fails."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    log_path = folder / "ffmpeg.log"
    try:
        with (
            open(log_path, "wb") as log,
            subprocess.Popen(
                cmd,
                cwd=folder,
                bufsize=0,  # nothing left to flush (and fail) when ffmpeg has quit
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            ) as proc,
        ):
            try:
                if stdin is not None:
                    assert proc.stdin is not None
                    with contextlib.suppress(BrokenPipeError):  # ffmpeg quit; its log says why
                        for chunk in stdin:
                            proc.stdin.write(chunk)
                        proc.stdin.close()
                code = proc.wait()
            except BaseException:
                proc.kill()  # the frames failed: stop ffmpeg; leaving the block closes its pipes
                raise
    except OSError as exc:
        raise ProviderError(f"cannot run ffmpeg: {exc.strerror or exc}") from exc
    if code != 0:
        tail = log_path.read_text("utf-8", "replace").strip().splitlines()[-3:]
        raise ProviderError(f"ffmpeg failed (exit {code}): {' / '.join(tail) or 'no output'}")
