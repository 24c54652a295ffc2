#!/usr/bin/env python3
"""Write a finding-dense archive: generated briefings with many findings per file.

    python bench/dense.py TARGET [--files 120] [--items 60] [--seed 7]

Every item is a paragraph (or a list item, or a table row) carrying several findings at once:
links with tracking parameters (BL001), hand-numbered headings with gaps (BL003), link text
with stray spaces (BL010), bare URLs run into CJK text (BL007), CJK next to Latin and digits
(BL017, BL018 when enabled), short links, emphasis markers that do not render. The text is
made up here from word lists; nothing is copied from anywhere. The same seed gives the same
archive byte for byte, so runs before and after a change compare like with like.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SITES = ["example.org", "news.example.com", "blog.example.net", "dev.example.io", "lab.example.dev"]
TRACKING = [
    "utm_source=twitter&utm_medium=social",
    "fbclid=IwAR0abc",
    "utm_campaign=spring&ref=feed",
    "gclid=Cj0KCQ",
    "spm=a2c6h.12873639",
    "mc_cid=1234&mc_eid=abcd",
]
ZH = ["开源", "发布", "新版本", "工具", "性能", "模型", "框架", "数据库", "编译器", "教程", "实践"]
EN = [
    "GPT-4o",
    "Rust",
    "Go",
    "Python",
    "iPhone15",
    "WebGPU",
    "SQLite",
    "Linux",
    "LLVM",
    "Kubernetes",
]
SECTIONS = ["新闻", "工具", "文章", "资源", "Links", "Tools"]


def link(rng: random.Random, i: int, text: str) -> str:
    site = rng.choice(SITES)
    query = rng.choice(TRACKING)
    pad = " " if rng.random() < 0.3 else ""
    return f"[{pad}{text}{pad}](https://{site}/p/{i}?{query})"


def mixed(rng: random.Random) -> str:
    """CJK and Latin (and digits) with no space between them."""
    words = []
    for _ in range(rng.randint(3, 6)):
        words.append(rng.choice(ZH) + rng.choice(EN) + str(rng.randint(2, 99)) + rng.choice(ZH))
    return "，".join(words) + "。"


def item(rng: random.Random, n: int, i: int) -> str:
    title = rng.choice(ZH) + rng.choice(EN) + rng.choice(ZH)
    more = " ".join(link(rng, i * 10 + k, rng.choice(EN) + rng.choice(ZH)) for k in range(3))
    bare = f"https://{rng.choice(SITES)}/x/{i}?utm_source=rss{rng.choice(ZH)}"
    emphasis = f"**{rng.choice(EN)}**{rng.choice(ZH)}" if rng.random() < 0.5 else ""
    return (
        f"## {n}. {link(rng, i, title)} | {rng.choice(ZH)}\n\n"
        f"{mixed(rng)}{more}，见{bare} {emphasis}\n"
        f"{mixed(rng)} 短链 https://bit.ly/{i:x}ab 。\n"
    )


def table(rng: random.Random, base: int) -> str:
    rows = ["| 名称 | 链接 | 说明 |", "| --- | --- | --- |"]
    for k in range(6):
        cells = [rng.choice(EN) + rng.choice(ZH), link(rng, base + k, rng.choice(EN)), mixed(rng)]
        if k % 3 == 0:
            cells[0] = ""
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def issue(rng: random.Random, number: int, items: int) -> str:
    parts = [f"# 第{number}期周报AI\n", f"本期{rng.choice(ZH)}共{items}条{rng.choice(EN)}新闻。\n"]
    n = 1
    for s, section in enumerate(SECTIONS):
        parts.append(f"# {section}\n")
        for _ in range(items // len(SECTIONS)):
            parts.append(item(rng, n, number * 1000 + n))
            # Hand numbering with gaps and repeats: BL003.
            n += rng.choice([1, 1, 1, 2, 0])
        parts.append(table(rng, number * 1000 + 900 + s * 10))
        parts.append(
            "\n".join(
                f"- {mixed(rng)}{link(rng, number * 1000 + 800 + k, rng.choice(EN))}"
                for k in range(4)
            )
            + "\n"
        )
    return "\n".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("target")
    ap.add_argument("--files", type=int, default=120)
    ap.add_argument("--items", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    target = Path(args.target)
    target.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    for number in range(1, args.files + 1):
        text = issue(rng, number, args.items)
        (target / f"issue-{number:04d}.md").write_text(text, encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
