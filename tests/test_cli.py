"""The `thesis-music encode` contract: output lines, stderr reasons, exit codes, no TensorFlow."""

import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "thesis_lib.cli"]


def run(*args):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True)


def test_encode_issue_example(data_dir):
    r = run("encode", data_dir / "f_major.krn")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{data_dir / 'f_major.krn'}\t55 _ _ _ 60 _ _ _ 62 _ 64 _ 65 _ _ _ 64 _ _ _ _ _ _ _ 62 _ _ _\n"


def test_encode_mixed_files_reports_skips_on_stderr(data_dir):
    r = run("encode", data_dir / "tunes.abc", data_dir / "chord.krn")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert [l.split("\t")[0] for l in lines] == [f"{data_dir / 'tunes.abc'}#1", f"{data_dir / 'tunes.abc'}#2"]
    assert all("/" not in l.split("\t")[1] for l in lines)
    err = r.stderr.splitlines()
    assert f"{data_dir / 'chord.krn'}: skipped: not monophonic: a chord at offset 0" in err
    assert f"{data_dir / 'tunes.abc'}#4: skipped: unsupported duration: a note of 1/3 quarter notes is not " \
           "a whole number of 16ths" in err


def test_encode_per_pitch_scheme(data_dir):
    r = run("encode", "--scheme", "per-pitch-hold", data_dir / "f_major.krn")
    assert r.stdout.split("\t")[1].split()[:5] == ["55", "_55", "_55", "_55", "60"]


def test_encode_nothing_kept_exits_1(data_dir):
    r = run("encode", data_dir / "chord.krn", data_dir / "only_rests.krn")
    assert r.returncode == 1 and r.stdout == ""
    assert "skipped: empty" in r.stderr


@pytest.mark.parametrize("args", [["encode", "--scheme", "bogus"], ["encode", "--bogus"], [], ["nope"]])
def test_usage_errors_exit_2(args):
    assert run(*args).returncode == 2


def test_encode_embedded_corpus_without_tensorflow(embedded):
    code = ("import sys, io, contextlib; from thesis_lib.cli import main\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf): rc = main(['encode'])\n"
            "assert 'tensorflow' not in sys.modules, 'encode imported TensorFlow'\n"
            "print(rc, len(buf.getvalue().splitlines()))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", str(len(embedded.songs))]
