"""An answer's processing at the size Chrome records: seconds of work per second of video.

Each source is made once with PyAV before any timing (cached in bench/results/video-cache/,
git-ignored by its .tmp suffix): 60 s of a moving test picture with camera-like noise,
VP8 at about 1.5 Mb/s (libvpx, realtime, as MediaRecorder encodes) and Opus, muxed live as
Chrome does (no duration in the header, millisecond timestamps that wander around 30 fps).
Then ``video_interviews.processing.make`` (probe, H.264/AAC transcode, measure, thumbnail: the
work of ``process_answer`` less its storage copies and row updates) runs on it in a fresh
process each time, so the process's peak RSS (ru_maxrss) is the processing's. Reported: wall
and CPU seconds (median of the runs), the ratio processing seconds / video seconds (target
≤ 0.25), the peak RSS, and the system's load average at the start (the machine is shared).
Then, at 720p, what the encoder's settings were chosen against: each variant (a change to
``processing``'s settings made in the measuring process) once, with the output's bit rate and
its PSNR against the picture before its noise and VP8 (``quality``). Writes
``bench/results/video.json`` and the "Video processing" section of docs/benchmarks.md.

    python bench/video_bench.py [--only 480p|720p] [--repeats 3] [--seconds 60] [--no-compare]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.doc_sections import replace_section  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "video-cache.tmp"
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Video processing"
TARGET_RATIO = 0.25
FPS = 30
# A webcam's picture, roughly: a still room (SMPTE bars) with a moving part a third of the
# frame wide where the person is (testsrc2's moving pattern), and the sensor's noise on all of
# it, changing every frame.
SCENE = (
    "smptehdbars=size={width}x{height}:rate={fps}[room];"
    "testsrc2=size={fg_w}x{fg_h}:rate={fps}[person];"
    "[room][person]overlay=x={fg_x}:y={fg_y},noise=alls=6:allf=t[out0]"
)

# name: (width, height, VP8 bits per second)
SOURCES: dict[str, tuple[int, int, int]] = {
    "480p": (640, 480, 1_500_000),
    "720p": (1280, 720, 2_500_000),
}


# What the 720p settings were weighed against: changes to video_interviews.processing's
# settings, each measured once on the 720p source (the first is what processing does).
VARIANTS: dict[str, dict[str, Any]] = {
    "as processed": {},
    "veryfast's own motion search": {"X264_LARGE_PARAMS": ""},
    "slice threads (PyAV's default)": {"X264_THREAD_TYPE": "SLICE"},
    "neither (the processing before)": {"X264_LARGE_PARAMS": "", "X264_THREAD_TYPE": "SLICE"},
    "superfast": {"X264_PRESET": "superfast", "X264_LARGE_PARAMS": ""},
    "at most 960 × 540": {"LONG_SIDE": 960, "SHORT_SIDE": 540},
}
COMPARED = "720p"
QUALITY_EVERY = 15  # frames


def scene(name: str, *, noise: bool = True) -> str:
    width, height, _ = SOURCES[name]
    graph = SCENE.format(
        width=width,
        height=height,
        fps=FPS,
        fg_w=width // 3 // 2 * 2,
        fg_h=height // 2 // 2 * 2,
        fg_x=width // 3,
        fg_y=height // 3,
    )
    return graph if noise else graph.replace(",noise=alls=6:allf=t", "")


def quality(name: str, video: Path) -> float:
    """Mean PSNR (luma, dB) of ``video`` against the clean picture it was made from (the scene
    before its sensor noise and VP8), every ``QUALITY_EVERY``th frame, the output scaled back
    to the source's size (bicubic): what a viewer at that size loses, whatever the cause."""
    import av
    import numpy as np
    from av.video.reformatter import Interpolation

    values = []
    with av.open(scene(name, noise=False), format="lavfi") as clean, av.open(str(video)) as made:
        # The clean picture never ends (lavfi): the output's frames set the count.
        pairs = zip(clean.decode(video=0), made.decode(video=0), strict=False)
        for n, (reference, frame) in enumerate(pairs):
            if n % QUALITY_EVERY:
                continue
            want = reference.reformat(format="gray").to_ndarray().astype(np.float64)
            got = frame.reformat(
                reference.width, reference.height, "gray", interpolation=Interpolation.BICUBIC
            ).to_ndarray()
            error = float(((want - got.astype(np.float64)) ** 2).mean())
            values.append(10 * np.log10(255**2 / max(error, 1e-9)))
    return round(float(np.mean(values)), 2)


def make_source(name: str, seconds: int) -> Path:
    """The WebM Chrome would record, made once (a minute of 720p VP8 takes a while)."""
    import av

    width, height, bitrate = SOURCES[name]
    target = CACHE / f"{name}-{seconds}s.webm"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    jitter = random.Random(16)
    with av.open(str(partial), "w", format="webm", options={"live": "1"}) as out:
        video = out.add_stream(
            "libvpx", rate=FPS, options={"deadline": "realtime", "cpu-used": "8"}
        )
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.bit_rate = bitrate
        video.codec_context.time_base = video.time_base = Fraction(1, 1000)
        audio = out.add_stream("libopus", rate=48000, layout="mono")
        audio.bit_rate = 64_000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000, frame_size=960)
        picture = av.open(scene(name), format="lavfi")
        sound = av.open("sine=frequency=440:sample_rate=48000", format="lavfi")
        frames = picture.decode(video=0)
        chunks = (c for f in sound.decode(audio=0) for c in resampler.resample(f))
        last, samples = -1, 0
        for n in range(seconds * FPS):
            frame = next(frames)
            pts = max(last + 1, round(n * 1000 / FPS + (jitter.uniform(-9, 9) if n else 0)))
            frame.pts, frame.time_base, last = pts, Fraction(1, 1000), pts
            frame.pict_type = av.video.frame.PictureType.NONE
            out.mux(video.encode(frame))
            while samples * 1000 < (n + 1) * 1000 * 48000 // FPS:
                chunk = next(chunks)
                chunk.pts, chunk.time_base = samples, Fraction(1, 48000)
                samples += chunk.samples
                out.mux(audio.encode(chunk))
        out.mux(video.encode(None))
        out.mux(audio.encode(None))
        picture.close()
        sound.close()
    partial.rename(target)
    return target


def inner(source: Path, variant: str = "", name: str = "") -> dict[str, Any]:
    """One processing in this (fresh) process: its wall and CPU seconds and peak RSS; with a
    ``variant``, made with that change to the settings and its ``quality`` measured."""
    import tempfile

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from video_interviews import processing

    for setting, value in VARIANTS.get(variant, {}).items():
        assert hasattr(processing, setting), setting
        setattr(processing, setting, value)
    measured = None
    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory(dir=processing._temp_root()) as work:
        cpu = time.process_time()
        started = time.perf_counter()
        video, picture, duration_ms, how = processing.make(source, Path(work), 600)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        size = video.stat().st_size
        found = processing.probe(video)
        if variant:
            measured = quality(name, video)
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "ru_maxrss_mib": round(rss_kib / 1024, 1),
        "baseline_rss_mib": round(baseline_kib / 1024, 1),
        "output_ms": duration_ms,
        "output_bytes": size,
        "output_size": [found.width, found.height],
        "how": how,
        "thumbnail": picture is not None,
        "preset": processing.X264_PRESET,
        "crf": processing.X264_CRF,
        "x264": processing.x264_options(found.width, found.height),
        "x264_large_pixels": processing.X264_LARGE_PIXELS,
        "x264_large_params": processing.X264_LARGE_PARAMS,
        "x264_threads": processing.X264_THREAD_TYPE.lower(),
        "psnr": measured,
    }


def _inner_run(source: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--inner", str(source), *extra],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(seconds: int) -> list[dict[str, Any]]:
    """Each of ``VARIANTS`` once on the 720p source, in a fresh process."""
    source = make_source(COMPARED, seconds)
    rows = []
    for variant in VARIANTS:
        run = _inner_run(source, "--variant", variant, "--name", COMPARED)
        rows.append({"variant": variant, "load": round(os.getloadavg()[0], 2), **run})
        print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def one(name: str, seconds: int, repeats: int) -> dict[str, Any]:
    import av

    source = make_source(name, seconds)
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        header_duration = container.duration
        bits = source.stat().st_size * 8 / seconds
        codec = stream.codec_context.name
    runs = [_inner_run(source) for _ in range(repeats)]
    wall = statistics.median(r["wall_seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    width, height, _ = SOURCES[name]
    return {
        "name": name,
        "source": {
            "size": [width, height],
            "fps": FPS,
            "seconds": seconds,
            "codec": f"{codec}+opus",
            "bits_per_second": round(bits),
            "header_duration": header_duration,
        },
        "wall_seconds_median": wall,
        "cpu_seconds_median": cpu,
        "ratio": round(wall / seconds, 3),
        "cpu_ratio": round(cpu / seconds, 3),
        "target_ratio": TARGET_RATIO,
        "met": wall / seconds <= TARGET_RATIO,
        "ru_maxrss_mib": max(r["ru_maxrss_mib"] for r in runs),
        "baseline_rss_mib": max(r["baseline_rss_mib"] for r in runs),
        "runs": runs,
    }


def doc_section(result: dict[str, Any] | None) -> list[str]:
    """The "Video processing" section of docs/benchmarks.md, from video.json."""
    out = [f"{HEADING} (make bench, make bench-video)", ""]
    if not result:
        return [*out, "Not run yet.", ""]
    out += [
        f"Run {result['when']} on {result['cpus']} CPUs (load average {result['load'][0]:.2f}, "
        f"{result['load'][1]:.2f}, {result['load'][2]:.2f} at the start: the machine is "
        f"shared{_niceness(result)}), PyAV {result['pyav']} (FFmpeg {result['ffmpeg']}). "
        "The source is what "
        "Chrome's MediaRecorder gives: a WebM muxed live (no duration in its header), VP8 "
        "(libvpx realtime) at the bit rate shown and mono Opus, 30 fps with millisecond "
        "timestamps that wander by up to 9 ms; the picture is a webcam's, roughly (a still "
        "room of SMPTE bars, a moving part a third of the frame wide where the person is, "
        "sensor noise changing every frame on all of it); made once before timing. Timed: "
        "`video_interviews.processing.make` — probe, decode, "
        f"scale to at most 1280 × 720, libx264 {result['preset']} CRF {result['crf']}"
        f"{_large(result)} and AAC 128 kb/s into a faststart MP4, measure it, the thumbnail — "
        "in a fresh process "
        f"per run (median of {result['repeats']}); the storage copies and the row updates of "
        "`process_answer` are not in it. The ratio is wall seconds of processing per second "
        f"of video (target ≤ {TARGET_RATIO}); CPU is user + system of the process (x264 and "
        "the VP8 decoder use both cores). Peak RSS is the process's ru_maxrss, the "
        "Python, Django and PyAV it starts with included (the baseline column).",
        "",
        "| source | bit rate | processing (wall) | ratio | target | CPU | CPU ratio | "
        "peak RSS | baseline RSS | output | encoder | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        src = row["source"]
        run = row["runs"][0]
        out.append(
            f"| {src['seconds']} s {src['size'][0]}×{src['size'][1]} {src['codec']} | "
            f"{src['bits_per_second'] / 1e6:.2f} Mb/s | {row['wall_seconds_median']} s | "
            f"{row['ratio']} | ≤ {row['target_ratio']} | {row['cpu_seconds_median']} s | "
            f"{row['cpu_ratio']} | {row['ru_maxrss_mib']} MiB | {row['baseline_rss_mib']} MiB | "
            f"{run['output_size'][0]}×{run['output_size'][1]}, {run['output_ms'] / 1000:.2f} s, "
            f"{run['output_bytes'] * 8 / (run['output_ms'] / 1000) / 1e6:.2f} Mb/s | "
            f"{_encoder(run)} | {'**met**' if row['met'] else '**not met**'} |"
        )
    notes = result.get("notes") or []
    if notes:
        out += ["", *notes]
    if result.get("compare"):
        when = result.get("compare_when") or result["when"]
        out += ["", *compare_section(result["compare"], when)]
    return [*out, ""]


def compare_section(rows: list[dict[str, Any]], when: str) -> list[str]:
    out = [
        f"What the {COMPARED} settings were weighed against (run {when}): each a change to "
        "`video_interviews.processing`'s settings, run once on the same source in a fresh "
        "process (so its wall time has the noise of one run; the load is the 1-minute "
        "average as it ended). PSNR is the output's luma, scaled back to 1280 × 720 (bicubic), "
        "against the picture before its sensor noise and VP8 (every "
        f"{QUALITY_EVERY}th frame): what a viewer loses to the encoding and the size together "
        "(the VP8 source itself is about 47 dB from it).",
        "",
        "| variant | encoder | output | wall | ratio | CPU | Mb/s | PSNR | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        bits = row["output_bytes"] * 8 / (row["output_ms"] / 1000) / 1e6
        out.append(
            f"| {row['variant']} | {_encoder(row)} | "
            f"{row['output_size'][0]}×{row['output_size'][1]} | {row['wall_seconds']} s | "
            f"{row['wall_seconds'] * 1000 / row['output_ms']:.3f} | {row['cpu_seconds']} s | "
            f"{bits:.2f} | "
            f"{row['psnr']} dB | {row['load']} |"
        )
    return out


def _niceness(result: dict[str, Any]) -> str:
    nice = result.get("nice") or 0
    if nice >= 0:
        return ""
    return (
        f"; run at nice {nice}, ahead of the machine's other work, as a worker of its own "
        "would have the cores"
    )


def _large(result: dict[str, Any]) -> str:
    """What the encoder does otherwise above 640 × 480 (none in a run before it did)."""
    params, pixels = result.get("x264_large_params"), result.get("x264_large_pixels")
    if not params:
        return ""
    over = "640 × 480" if pixels == 640 * 480 else f"{pixels} pixels"
    return f" (above {over} with `{params}`: the cheapest motion search; the encoder column)"


def _encoder(run: dict[str, Any]) -> str:
    options = run.get("x264") or {"preset": run["preset"], "crf": str(run["crf"])}
    extra = f", {options['x264-params']}" if options.get("x264-params") else ""
    threads = f", {run['x264_threads']} threads" if run.get("x264_threads") else ""
    return f"{options['preset']} CRF {options['crf']}{extra}{threads}"


def write_doc(result: dict[str, Any]) -> None:
    replace_section(HEADING, doc_section(result), DOC)


def notes_for(rows: list[dict[str, Any]]) -> list[str]:
    notes = [f"* Load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}."]
    for row in rows:
        if row["met"]:
            continue
        budget = row["target_ratio"] * row["source"]["seconds"]
        cpu, cores = row["cpu_seconds_median"], os.cpu_count() or 1
        why = (
            f"the CPU time ({cpu} s) is over what {cores} free cores give in that time: the "
            "encoder's work (libx264 takes most of it, the VP8 decoder a few seconds)"
            if cpu > budget * cores
            else f"the CPU time ({cpu} s) fits in it on {cores} free cores: the run waited for "
            "cores (the load above), this is the machine's share, not the processing's work"
        )
        notes.append(
            f"* {row['name']}: not met — {row['wall_seconds_median']} s of processing for "
            f"{row['source']['seconds']} s of video, over the {budget:g} s the target allows; "
            f"{why}."
        )
    return notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(SOURCES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--no-compare", action="store_true", help="skip the 720p variants")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="", help=argparse.SUPPRESS)
    parser.add_argument("--name", default="", help=argparse.SUPPRESS)
    parser.add_argument("--doc", action="store_true", help="only rewrite the doc from video.json")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.doc:
        write_doc(json.loads((RESULTS / "video.json").read_text()))
        return 0
    if args.inner:
        print(json.dumps(inner(Path(args.inner), args.variant, args.name)))
        return 0
    import av

    load = os.getloadavg()
    rows = []
    for name in [args.only] if args.only else list(SOURCES):
        row = one(name, args.seconds, args.repeats)
        print(json.dumps(row), file=sys.stderr)
        rows.append(row)
    names = [row["name"] for row in rows]
    when = datetime.now(UTC).isoformat(timespec="seconds")
    if COMPARED in names and not args.no_compare:
        compared, compared_when = compare(args.seconds), when
    else:  # the last comparison stays, with its own date
        previous = RESULTS / "video.json"
        kept = json.loads(previous.read_text()) if previous.exists() else {}
        compared = kept.get("compare") or []
        compared_when = kept.get("compare_when") or kept.get("when", "")
    result = {
        "when": when,
        "cpus": os.cpu_count(),
        "load": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "nice": os.nice(0),
        "pyav": av.__version__,
        "ffmpeg": str(av.ffmpeg_version_info),
        "preset": rows[0]["runs"][0]["preset"],
        "crf": rows[0]["runs"][0]["crf"],
        "x264_large_pixels": rows[0]["runs"][0]["x264_large_pixels"],
        "x264_large_params": rows[0]["runs"][0]["x264_large_params"],
        "x264_threads": rows[0]["runs"][0]["x264_threads"],
        "repeats": args.repeats,
        "python": sys.version.split()[0],
        "rows": rows,
        "notes": notes_for(rows),
        "compare": compared,
        "compare_when": compared_when,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "video.json").write_text(json.dumps(result, indent=2) + "\n")
    write_doc(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
