"""Corpus load: cold parse on one core vs every core, warm load from data/cache/, and a warm
`thesis-music encode` of the whole corpus, measured side by side in one run.

Run: .venv/bin/python benchmarks/corpus_load.py
"""

import os
import subprocess
import sys
import tempfile
import time

from thesis_lib.core.config import THESIS
from thesis_lib.data.corpus import load_corpus
from thesis_lib.data.encoding import Vocabulary, build_stream, encode_events


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as cache:
        os.environ["THESIS_CACHE_DIR"] = cache
        t_one, c = timed(lambda: load_corpus(workers=1, progress=False))
        t_all, _ = timed(lambda: load_corpus(workers=cores, progress=False, cache=False))
        t_warm, _ = timed(lambda: load_corpus(progress=False))
        t_cli, r = timed(lambda: subprocess.run([sys.executable, "-m", "thesis_lib.cli", "encode"],
                                                capture_output=True, text=True))
    assert r.returncode == 0 and len(r.stdout.splitlines()) == len(c.songs)
    seqs = [encode_events(s.events) for s in c.songs]
    v = Vocabulary.from_sequences(seqs)
    st = build_stream(seqs, v, THESIS.sequence_length, THESIS.separator_length)
    ids_mb = st.ids.nbytes / 1e6
    onehot_gb = st.n_windows * st.sequence_length * len(v) * 4 / 1e9
    print(f"songs kept {len(c.songs)}, skipped {len(c.skipped)}; cores {cores}")
    print(f"cold parse, 1 worker          {t_one:7.2f} s")
    print(f"cold parse, {cores} workers         {t_all:7.2f} s   speed-up x{t_one / t_all:.2f}")
    print(f"warm load (cache)             {t_warm:7.3f} s   x{t_one / t_warm:.0f} faster than cold on 1 core")
    print(f"warm `thesis-music encode`    {t_cli:7.2f} s   (whole process, {len(c.songs)} lines)")
    print(f"training stream as int32 ids  {ids_mb:7.2f} MB for {st.n_windows:,} windows")
    print(f"the same windows one-hot f32  {onehot_gb:7.2f} GB   ratio x{onehot_gb * 1e3 / ids_mb:.0f}")


if __name__ == "__main__":
    main()
