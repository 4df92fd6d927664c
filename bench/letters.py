"""Invitation letters at scale: rendering 6,000 pages, with seconds and peak memory.

Each measurement runs in a fresh Python process, so its peak resident memory (ru_maxrss) is its
own; "over start" is the peak minus the resident memory just before the first letter (Python,
the catalogs and the font's metrics loaded), which is what rendering itself costs. The letters
cycle through ja, en and ja-easy, and every fifth has a LINE link (a second QR code).

Baselines from the same run: the QR codes alone (segno's matrices, no PDF) for as many letters,
and 60 letters, so that a flat "over start" from 60 to 6,000 shows the writer streams.
`--reportlab N` adds the same kind of page (same text, same QR rectangles) drawn with reportlab
for 60 and N pages, when reportlab is installed (it is not a dependency): why Kyodo has its own
writer (reportlab holds every page until it saves).

Usage: python bench/letters.py [--letters 6000] [--reportlab 6000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOCALES = ("ja", "en", "ja-easy")


def rss_mb() -> float:
    """This process's resident memory now (Linux /proc), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def letters(count: int) -> Iterator[object]:
    from bot.letters import Letter

    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    for index in range(count):
        code = "".join(alphabet[(index // 31**k) % 31] for k in range(8))
        yield Letter(
            locale=LOCALES[index % 3],
            name=f"組合員 太郎{index}",
            code=code,
            telegram_link=f"https://t.me/kyodo_coop_bot?start={code}",
            line_link="https://line.me/R/ti/p/@123abcde" if index % 5 == 0 else None,
            centre_name=f"ワーカーズコープ第{index % 324 + 1}事業所",
            centre_phone="03-1234-5678",
            expires=date(2027, 1, 31),
        )


def child(kind: str, count: int) -> dict[str, float]:
    """One measurement, in this (fresh) process."""
    from bot.i18n import I18n
    from bot.letters import DEFAULT_FONT, render_letters
    from bot.letters.pdf import font_metrics
    from bot.letters.qr import matrix

    i18n = I18n(ZoneInfo("Asia/Tokyo"))
    font_metrics(DEFAULT_FONT)  # loaded before the clock starts, as in a running bot
    start_rss = rss_mb()
    size = 0
    started = time.perf_counter()
    cpu = time.process_time()
    if kind == "qr":
        for letter in letters(count):
            matrix(letter.telegram_link)  # type: ignore[attr-defined]
    elif kind == "kyodo":
        with tempfile.TemporaryFile() as out:
            pages = render_letters(letters(count), i18n, out)  # type: ignore[arg-type]
            if pages != count:
                raise SystemExit(f"{pages} pages for {count} letters")
            size = out.tell()
    elif kind == "reportlab":
        size = reportlab_pages(count)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
        "peak": peak_mb(),
        "over": peak_mb() - start_rss,
        "bytes": size,
    }


def reportlab_pages(count: int) -> int:
    """The same page shape with reportlab: its text, its font (the same TTF) and the QR codes'
    row runs as rectangles."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from bot.letters import DEFAULT_FONT
    from bot.letters.qr import matrix, rectangles

    pdfmetrics.registerFont(TTFont("IPAexG", str(DEFAULT_FONT)))
    with tempfile.TemporaryFile() as out:
        pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
        for letter in letters(count):
            for line in range(14):
                pdf.setFont("IPAexG", 15)
                pdf.drawString(50, 800 - 40 * line, f"{letter.name} 様 {line} わからないときは")  # type: ignore[attr-defined]
            link = letter.telegram_link  # type: ignore[attr-defined]
            for x, y, w, h in rectangles(matrix(link), 200, 500, 170):
                pdf.rect(x, y, w, h, stroke=0, fill=1)
            pdf.showPage()
        pdf.save()
        return out.tell()


def measure(kind: str, count: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(count)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=6000)
    parser.add_argument("--reportlab", type=int, default=0, help="pages drawn with reportlab")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return

    runs = [
        ("QR codes alone (baseline)", "qr", args.letters),
        ("letters (baseline)", "kyodo", 60),
        ("letters", "kyodo", args.letters // 10),
        ("letters", "kyodo", args.letters),
    ]
    if args.reportlab:
        try:
            import reportlab  # noqa: F401
        except ImportError:
            print("reportlab is not installed: its row is left out", file=sys.stderr)
        else:
            runs.append(("reportlab, same pages (base)", "reportlab", 60))
            runs.append(("reportlab, same pages", "reportlab", args.reportlab))
    print(
        f"| {'what':<28} | {'pages':>6} | {'seconds':>7} | {'CPU s':>6} | {'pages/s':>7} "
        f"| {'peak RSS MB':>11} | {'over start MB':>13} | {'PDF MB':>6} | {'KB/page':>7} |"
    )
    print(
        f"|{'-' * 30}|{'-' * 8}|{'-' * 9}|{'-' * 8}|{'-' * 9}|{'-' * 13}|{'-' * 15}|"
        f"{'-' * 8}|{'-' * 9}|"
    )
    for what, kind, count in runs:
        r = measure(kind, count)
        size = r["bytes"] / 2**20
        per_page = r["bytes"] / 1024 / count if r["bytes"] else 0
        shown = f"{size:6.1f}" if r["bytes"] else f"{'-':>6}"
        per = f"{per_page:7.1f}" if r["bytes"] else f"{'-':>7}"
        print(
            f"| {what:<28} | {count:>6,} | {r['seconds']:7.2f} | {r['cpu']:6.2f} "
            f"| {count / r['seconds']:7.0f} | {r['peak']:11.0f} | {r['over']:13.1f} "
            f"| {shown} | {per} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
