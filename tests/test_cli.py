"""The luanma command."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_repair_stdin_json(monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("鏁版嵁".encode())))
    assert main(["repair", "-", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == "数据"
    assert out["encoding"] == "utf-8"


def test_repair_gbk_file(tmp_path, capsysbinary):
    f = tmp_path / "page.txt"
    f.write_bytes("创建国家卫生区".encode("gbk"))
    assert main(["repair", str(f)]) == 0
    assert capsysbinary.readouterr().out.decode() == "创建国家卫生区"


def test_repair_html_page(tmp_path, capsysbinary):
    f = tmp_path / "page.html"
    f.write_bytes('<meta charset="gbk"><p title="´´½¨">´´½¨¹ú¼Ò</p><script>x="´´½¨"</script>'
                  .encode("gb18030"))
    assert main(["repair", str(f), "--html"]) == 0
    assert capsysbinary.readouterr().out.decode() == \
        '<meta charset="utf-8"><p title="创建">创建国家</p><script>x="´´½¨"</script>'


def test_missing_file(capsys):
    assert main(["repair", "/no/such/file"]) == 2
    assert "luanma:" in capsys.readouterr().err


def test_a_file_that_is_not_text_is_named(tmp_path, capsys):
    # fresh-eyes report fe11a S3-11: one file's error did not name it
    png = tmp_path / "logo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert main(["repair", str(png)]) == 2
    assert f"luanma: {png}: " in capsys.readouterr().err


def test_missing_file_among_others_the_others_are_done(tmp_path, capsys):
    """A path that does not exist is an error (exit 2), but the other files
    are still checked and listed."""
    clean, bad = tmp_path / "clean.txt", tmp_path / "bad.txt"
    clean.write_text("干净的中文。", encoding="utf-8")
    bad.write_text("鏁版嵁鎶撳彇缁撴灉", encoding="utf-8")
    assert main(["repair", "--check", str(clean), str(bad), str(tmp_path / "none.txt")]) == 2
    out, err = capsys.readouterr()
    assert out == f"{bad}: utf8_as_gbk\n"
    assert f"luanma: {tmp_path / 'none.txt'}: no such file or directory" in err


def test_bad_convert(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text("x")
    assert main(["repair", str(f), "--convert", "nope"]) == 2
    assert "unknown OpenCC config" in capsys.readouterr().err


def test_console_script_installed():
    out = subprocess.run([sys.executable, "-m", "app.cli", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "luanma 0.1.0"


def _tree(tmp_path):
    """A folder of scraped pages: GBK, UTF-8 mojibake, clean, nested, binary."""
    d = tmp_path / "pages"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_bytes("创建国家卫生区".encode("gbk"))
    (d / "sub" / "b.md").write_bytes("鏁版嵁鎶撳彇缁撴灉".encode())
    (d / "clean.txt").write_bytes("干净的中文".encode())
    (d / ".hidden.txt").write_bytes("鏁版嵁".encode())
    return d


def test_repair_directory_writes_beside(tmp_path, capsys):
    d = _tree(tmp_path)
    assert main(["repair", str(d)]) == 0
    assert (d / "sub" / "b.repaired.md").read_text(encoding="utf-8") == "数据抓取结果"
    assert (d / "a.repaired.txt").read_text(encoding="utf-8") == "创建国家卫生区"
    assert (d / "clean.repaired.txt").read_text(encoding="utf-8") == "干净的中文"
    assert (d / "sub" / "b.md").read_bytes() == "鏁版嵁鎶撳彇缁撴灉".encode()  # input kept
    assert not (d / ".hidden.repaired.txt").exists()
    assert capsys.readouterr().err == ""  # no progress bar when stderr is not a terminal
    # a second run does not repair its own outputs again
    assert main(["repair", str(d)]) == 0
    assert not (d / "sub" / "b.repaired.repaired.md").exists()


def test_repair_many_files_into_output_dir(tmp_path):
    d = _tree(tmp_path)
    out = tmp_path / "out"
    assert main(["repair", str(d / "a.txt"), str(d / "sub" / "b.md"), "--output-dir",
                 str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.md"]
    assert (out / "b.md").read_text(encoding="utf-8") == "数据抓取结果"


def test_repair_directory_into_output_dir_keeps_structure(tmp_path):
    d = _tree(tmp_path)
    out = tmp_path / "out"
    assert main(["repair", str(d), "--output-dir", str(out), "--convert", "s2t"]) == 0
    assert (out / "sub" / "b.md").read_text(encoding="utf-8") == "數據抓取結果"
    assert not list(d.rglob("*.repaired.*"))


def test_output_over_the_input_needs_in_place(tmp_path, capsys):
    d = _tree(tmp_path)
    assert main(["repair", str(d / "sub" / "b.md"), "--output-dir", str(d / "sub")]) == 2
    assert "--in-place" in capsys.readouterr().err
    assert (d / "sub" / "b.md").read_bytes() == "鏁版嵁鎶撳彇缁撴灉".encode()


def test_an_output_never_writes_over_another_input(tmp_path, capsys):
    # fresh-eyes report fe11a S1-1: a.txt's output is the input a.repaired.txt
    (tmp_path / "a.txt").write_text("鏁版嵁鎶撳彇缁撴灉", encoding="utf-8")
    theirs = "´´½¨¹ú¼Ò 原文件".encode("utf-8")
    (tmp_path / "a.repaired.txt").write_bytes(theirs)
    assert main(["repair", str(tmp_path / "a.txt"), str(tmp_path / "a.repaired.txt")]) == 2
    assert "is another input of this run" in capsys.readouterr().err
    assert (tmp_path / "a.repaired.txt").read_bytes() == theirs
    assert (tmp_path / "a.repaired.repaired.txt").read_text(encoding="utf-8") == "创建国家 原文件"


def test_writing_over_a_file_in_the_output_folder_is_said(tmp_path, capsys):
    # fresh-eyes report fe11c S1-1: an output folder inside the folder being
    # repaired is not read, and a file there was written over without a word
    top = tmp_path / "top"
    (top / "sub").mkdir(parents=True)
    (top / "x.txt").write_text("鏁版嵁", encoding="utf-8")
    (top / "sub" / "x.txt").write_text("´´½¨¹ú¼Ò", encoding="utf-8")
    assert main(["repair", str(top), "--output-dir", str(top / "sub")]) == 0
    assert (top / "sub" / "x.txt").read_text(encoding="utf-8") == "数据"
    err = capsys.readouterr().err
    assert "wrote over 1 existing file(s), taken for earlier outputs" in err
    assert str(top / "sub" / "x.txt") in err


def test_two_inputs_never_share_an_output(tmp_path, capsys):
    for d in ("d1", "d2"):
        (tmp_path / d).mkdir()
    (tmp_path / "d1" / "a.txt").write_text("鏁版嵁", encoding="utf-8")
    (tmp_path / "d2" / "a.txt").write_text("´´½¨", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["repair", str(tmp_path / "d1" / "a.txt"), str(tmp_path / "d2" / "a.txt"),
                 "--output-dir", str(out)]) == 2
    assert "not written" in capsys.readouterr().err
    assert (out / "a.txt").read_text(encoding="utf-8") == "数据"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_in_a_directory_is_skipped_not_read(tmp_path, capsys):
    # fresh-eyes report fe11a S1-2: opening it blocked the run forever
    (tmp_path / "a.txt").write_text("鏁版嵁", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe")
    assert main(["repair", str(tmp_path), "--check"]) == 2
    captured = capsys.readouterr()
    assert "a.txt: utf8_as_gbk" in captured.out
    assert "pipe: not a regular file; skipped" in captured.err


def test_in_place(tmp_path):
    d = _tree(tmp_path)
    clean = d / "clean.txt"
    os.utime(clean, (1_000_000_000, 1_000_000_000))
    assert main(["repair", str(d), "--in-place"]) == 0
    assert (d / "sub" / "b.md").read_text(encoding="utf-8") == "数据抓取结果"
    assert (d / "a.txt").read_bytes() == "创建国家卫生区".encode()  # clean GBK: now UTF-8
    assert clean.stat().st_mtime == 1_000_000_000  # already UTF-8: not touched
    assert not list(d.rglob("*.repaired.*"))


def test_in_place_leaves_clean_utf8_with_a_bom_untouched(tmp_path):
    # fresh-eyes report (session 9b, item 19): --check passed it, yet
    # --in-place rewrote it without its BOM
    f = tmp_path / "bom.txt"
    data = b"\xef\xbb\xbf" + "数据\n".encode()
    f.write_bytes(data)
    os.utime(f, (1_000_000_000, 1_000_000_000))
    assert main(["repair", str(f), "--in-place"]) == 0
    assert f.read_bytes() == data and f.stat().st_mtime == 1_000_000_000


_TEXT = "数据抓取结果是一个很长的中文句子，我们在这里测试解码。" * 3


def test_in_place_and_output_dir_write_the_same_utf8(tmp_path):
    # Both write the repaired text as UTF-8, whatever the input's encoding
    # (but clean UTF-8 with a BOM, which --in-place leaves as it is).
    files = {
        "gbk.txt": "创建国家卫生区".encode("gbk"),
        "big5.txt": "創建國家衛生區".encode("big5"),
        "bom.txt": b"\xef\xbb\xbf" + "创建国家".encode(),
        "moji.txt": "鏁版嵁鎶撳彇缁撴灉".encode(),  # UTF-8 read as GBK, saved as UTF-8
        "page.html": b'<html><head><meta charset="gbk"></head><body>'
                     + "鏁版嵁".encode("gbk") + b"</body></html>",
    }
    expected = {"gbk.txt": "创建国家卫生区", "big5.txt": "創建國家衛生區", "bom.txt": "创建国家",
                "moji.txt": "数据抓取结果",
                "page.html": '<html><head><meta charset="utf-8"></head><body>数据</body></html>'}
    src, inplace, out = tmp_path / "src", tmp_path / "inplace", tmp_path / "out"
    for folder in (src, inplace):
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
    assert main(["repair", str(src), "--html", "--output-dir", str(out)]) == 0
    assert main(["repair", str(inplace), "--html", "--in-place"]) == 0
    for name, text in expected.items():
        assert (out / name).read_bytes() == text.encode("utf-8"), name
        if name == "bom.txt":
            # clean UTF-8 already: in place it is not touched, BOM and all
            assert (inplace / name).read_bytes() == files[name]
            continue
        assert (inplace / name).read_bytes() == text.encode("utf-8"), name


def test_in_place_keeps_what_utf8_would_lose_or_contradict(tmp_path, capsys):
    lossy = _TEXT.encode("gbk")
    lossy = lossy[:30] + b"\xff" + lossy[30:]  # one byte no codec reads
    page = (b'<html><head><meta charset="gbk"></head><body>' + "创建国家".encode("gbk")
            + b"</body></html>")
    (tmp_path / "lossy.txt").write_bytes(lossy)
    (tmp_path / "page.html").write_bytes(page)
    assert main(["repair", str(tmp_path), "--in-place"]) == 0
    assert (tmp_path / "lossy.txt").read_bytes() == lossy
    assert (tmp_path / "page.html").read_bytes() == page
    err = capsys.readouterr().err
    assert f"{tmp_path / 'lossy.txt'}: left in its own encoding: some of its bytes decode " \
           "to U+FFFD" in err
    assert f"{tmp_path / 'page.html'}: left in its own encoding: it declares charset gbk " \
           "(--html rewrites the declaration)" in err
    # --output-dir writes the copy, and says that the page contradicts itself.
    assert main(["repair", str(tmp_path / "page.html"), str(tmp_path / "lossy.txt"),
                 "--output-dir", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "page.html").read_bytes() == page.decode("gbk").encode()
    assert "page.html: warning: written as UTF-8 but declares charset gbk" \
        in capsys.readouterr().err


def test_in_place_keeps_a_file_whose_reading_luanma_is_not_sure_of(tmp_path, capsys):
    """GBK with a stray byte no codec reads at its end is read as cp1251 at
    confidence 0.00: --in-place leaves the user's only copy as it is and
    says why, where it wrote the Cyrillic over it (fresh-eyes report fe12
    S1-2)."""
    data = "数据抓取".encode("gbk") + b"\xff\n"
    (tmp_path / "title.txt").write_bytes(data)
    assert main(["repair", str(tmp_path / "title.txt"), "--in-place"]) == 0
    assert (tmp_path / "title.txt").read_bytes() == data
    assert (f"{tmp_path / 'title.txt'}: left in its own encoding: luanma is not sure of its "
            "reading (confidence 0.00, read as cp1251); --output-dir writes it beside"
            ) in capsys.readouterr().err


def test_check_lists_damage_and_exits_1(tmp_path, capsys):
    d = _tree(tmp_path)
    before = {p: p.read_bytes() for p in d.rglob("*") if p.is_file()}
    assert main(["repair", str(d), "--check"]) == 1
    out = capsys.readouterr().out
    assert out == f"{d / 'sub' / 'b.md'}: utf8_as_gbk\n"
    assert {p: p.read_bytes() for p in d.rglob("*") if p.is_file()} == before


def test_check_clean_exits_0(tmp_path, capsys):
    d = _tree(tmp_path)
    assert main(["repair", str(d / "clean.txt"), str(d / "a.txt"), "--check"]) == 0
    assert capsys.readouterr().out == ""


def test_check_single_file(tmp_path, capsys):
    d = _tree(tmp_path)
    assert main(["repair", str(d / "sub" / "b.md"), "--check"]) == 1
    assert capsys.readouterr().out.endswith("b.md: utf8_as_gbk\n")


def test_bad_file_among_many_exits_2_and_does_the_rest(tmp_path, capsys):
    d = _tree(tmp_path)
    (d / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert main(["repair", str(d)]) == 2
    assert "img.png" in capsys.readouterr().err
    assert (d / "sub" / "b.repaired.md").exists()


def test_ndjson_stdin_to_stdout(monkeypatch, capsysbinary):
    import io

    lines = [json.dumps({"id": 1, "text": "鏁版嵁"}), "", "[1]",
             json.dumps({"id": 2, "text": "創建"}), json.dumps({"id": 3, "text": "x" * 50})]
    monkeypatch.setenv("LUANMA_MAX_DOCUMENT_BYTES", "10")  # lines up to 40 bytes
    from app.settings import get_settings

    get_settings.cache_clear()
    try:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(
            "\n".join(lines).encode())))
        assert main(["repair", "--ndjson", "--convert", "t2s"]) == 0
    finally:
        get_settings.cache_clear()
    slots = [json.loads(x) for x in capsysbinary.readouterr().out.decode().splitlines()]
    assert [s.get("id") for s in slots] == [1, None, 2, None]
    assert slots[0]["text"] == "数据" and slots[2]["text"] == "创建"
    assert slots[1]["line"] == 3 and slots[1]["error"]["code"] == "invalid_json"
    assert slots[3]["line"] == 5 and slots[3]["error"]["code"] == "input_too_large"


def test_ndjson_bad_flag_stops_before_reading(monkeypatch, capsys):
    import io

    stdin = io.TextIOWrapper(io.BytesIO(json.dumps({"id": 1, "text": "創建"}).encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["repair", "--ndjson", "--convert", "zzz"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "unknown OpenCC config 'zzz'" in out.err
    assert stdin.buffer.tell() == 0  # not a line read


def test_min_confidence_and_detect_only_flags(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_bytes("鏁版嵁鎶撳彇缁撴灉".encode())
    assert main(["repair", str(f), "--min-confidence", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == "鏁版嵁鎶撳彇缁撴灉" and out["changed"] is False
    assert main(["repair", str(f), "--detect-only", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == "鏁版嵁鎶撳彇缁撴灉" and out["spans"][0]["repaired"] == "数据抓取结果"
    # without --json: the text as it came, and what was found on stderr
    assert main(["repair", str(f), "--detect-only"]) == 0
    out = capsys.readouterr()
    assert out.out == "鏁版嵁鎶撳彇缁撴灉"
    assert out.err.startswith(f"luanma: {f}: utf8_as_gbk (confidence 0.99")
    assert main(["repair", str(f), "--min-confidence", "2"]) == 2


def test_json_with_many_files_is_refused(tmp_path, capsys):
    d = _tree(tmp_path)
    assert main(["repair", str(d), "--json"]) == 2
    assert "--json" in capsys.readouterr().err


def test_progress_bar_on_a_terminal(tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import termios

    d = _tree(tmp_path)
    main_fd, tty_fd = pty.openpty()
    fcntl.ioctl(tty_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.run([sys.executable, "-m", "app.cli", "repair", str(d)],
                          stderr=tty_fd, stdout=subprocess.PIPE, timeout=120, check=False)
    os.close(tty_fd)
    shown = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main_fd)
    assert proc.returncode == 0
    assert b"3/3" in shown and b"file" in shown


# --- luanma serve: arguments checked before the model loads -----------------------------


@pytest.mark.parametrize("args, said", [
    (["--port", "99999"], "argument --port: 99999 is not a port number (1-65535)"),
    (["--port", "0"], "argument --port: 0 is not a port number (1-65535)"),
    (["--port", "-1"], "argument --port: -1 is not a port number (1-65535)"),
    (["--port", "http"], "argument --port: 'http' is not a port number"),
    (["--workers", "0"], "argument --workers: 0 is not a whole number (at least 1)"),
    (["--workers", "two"], "argument --workers: 'two' is not a whole number"),
    (["--host", ""], "argument --host: must not be empty"),
])
def test_serve_bad_argument_exits_2(capsys, args, said):
    # argparse's own exit: status 2 and one usage line, no traceback
    with pytest.raises(SystemExit) as exc:
        main(["serve", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert said in err
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [["--charset", ""], ["--convert", ""], ["--charset", " "]])
def test_repair_empty_option_exits_2(capsys, args):
    # an empty --charset or --convert is no value, as ?charset= is a 422
    with pytest.raises(SystemExit) as exc:
        main(["repair", *args])
    assert exc.value.code == 2
    assert "must not be empty" in capsys.readouterr().err


@pytest.mark.parametrize("env, said", [
    ({"LUANMA_PORT": "0"}, "LUANMA_PORT='0': Input should be greater than or equal to 1"),
    ({"LUANMA_PORT": "70000"}, "LUANMA_PORT='70000': Input should be less than or equal to 65535"),
])
def test_serve_bad_port_setting_exits_2(monkeypatch, capsys, env, said):
    from app.settings import get_settings

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    try:
        assert main(["serve"]) == 2
    finally:
        get_settings.cache_clear()
    assert said in capsys.readouterr().err


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", "serve", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_serve_on_a_port_in_use_exits_2_before_loading(tmp_path):
    # uvicorn would load the model and warm up, then fail to bind and exit 1;
    # luanma says so first, in one line, and never starts the application
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _serve("--port", str(port))
    assert r.returncode == 2
    assert r.stderr == f"luanma: cannot listen on 127.0.0.1:{port}: Address already in use\n"


@pytest.mark.parametrize("host, said", [
    ("no-such-host.invalid", "luanma: cannot resolve host 'no-such-host.invalid'"),
    ("192.0.2.1", "luanma: cannot listen on 192.0.2.1:8000: Cannot assign requested address"),
])
def test_serve_on_a_host_it_cannot_bind_exits_2(host, said):
    r = _serve("--host", host)
    assert r.returncode == 2
    assert r.stderr.startswith(said) and r.stderr.count("\n") == 1


# --- output files: permission bits, symlinks, skipped earlier outputs -----------------


@pytest.fixture
def umask():
    """Set the process's umask for one test (the kernel applies it when a
    file is created); the old one is put back after."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


def _moji_files(d: Path, modes: dict[str, int]) -> None:
    d.mkdir(parents=True, exist_ok=True)
    for name, mode in modes.items():
        (d / name).write_bytes("鏁版嵁鎶撳彇缁撴灉".encode())
        (d / name).chmod(mode)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077], ids=lambda m: f"umask-{m:03o}")
@pytest.mark.parametrize("where", ["beside", "output-dir"])
def test_new_outputs_take_the_input_mode_less_the_umask(tmp_path, umask, mask, where):
    # as `cp` (without -p) creates a copy: the input's rwx bits, less the umask
    src = tmp_path / "src"
    _moji_files(src, {"a.txt": 0o640, "run.sh": 0o755, "shared.txt": 0o666})
    umask(mask)
    extra = ["--output-dir", str(tmp_path / "out")] if where == "output-dir" else []
    assert main(["repair", str(src), *extra]) == 0
    out = {"a.txt": src / "a.repaired.txt", "run.sh": src / "run.repaired.sh",
           "shared.txt": src / "shared.repaired.txt"}
    if where == "output-dir":
        out = {name: tmp_path / "out" / name for name in out}
    assert {name: _mode(p) for name, p in out.items()} == {
        "a.txt": 0o640 & ~mask, "run.sh": 0o755 & ~mask, "shared.txt": 0o666 & ~mask}
    assert out["run.sh"].read_text(encoding="utf-8") == "数据抓取结果"
    assert {name: _mode(src / name) for name in out} == {  # inputs untouched
        "a.txt": 0o640, "run.sh": 0o755, "shared.txt": 0o666}


def test_in_place_keeps_each_file_mode_whatever_the_umask(tmp_path, umask):
    d = tmp_path / "d"
    _moji_files(d, {"a.txt": 0o640, "run.sh": 0o755, "open.txt": 0o666, "ro.txt": 0o444})
    umask(0o077)
    assert main(["repair", "--in-place", *(str(d / n) for n in
                                           ("a.txt", "run.sh", "open.txt", "ro.txt"))]) == 0
    assert {p.name: _mode(p) for p in d.iterdir()} == {
        "a.txt": 0o640, "run.sh": 0o755, "open.txt": 0o666, "ro.txt": 0o444}
    assert {p.read_text(encoding="utf-8") for p in d.iterdir()} == {"数据抓取结果"}


def test_in_place_through_a_symlink_writes_its_target(tmp_path):
    real, links = tmp_path / "real", tmp_path / "links"
    _moji_files(real, {"target.txt": 0o640})
    links.mkdir()
    (links / "link.txt").symlink_to(real / "target.txt")
    (links / "rel.txt").symlink_to(Path("..") / "real" / "target.txt")
    assert main(["repair", "--in-place", str(links / "link.txt")]) == 0
    assert (links / "link.txt").is_symlink()
    assert os.readlink(links / "link.txt") == str(real / "target.txt")
    assert (real / "target.txt").read_text(encoding="utf-8") == "数据抓取结果"
    assert _mode(real / "target.txt") == 0o640
    # the temporary file was made beside the target and renamed: nothing left
    assert sorted(p.name for p in real.iterdir()) == ["target.txt"]
    assert sorted(p.name for p in links.iterdir()) == ["link.txt", "rel.txt"]
    # a directory run with a relative link: the link stays, its target is written
    (real / "target.txt").write_bytes("創建國家".encode("big5"))
    assert main(["repair", "--in-place", str(links)]) == 0
    assert (links / "rel.txt").is_symlink() and (links / "link.txt").is_symlink()
    assert (real / "target.txt").read_bytes() == "創建國家".encode()


def test_beside_output_of_a_symlink_is_a_file_with_the_target_mode(tmp_path, umask):
    _moji_files(tmp_path, {"target.sh": 0o750})
    (tmp_path / "link.sh").symlink_to("target.sh")
    assert main(["repair", str(tmp_path / "link.sh"), str(tmp_path / "target.sh")]) == 0
    out = tmp_path / "link.repaired.sh"
    assert not out.is_symlink() and _mode(out) == 0o750
    assert out.read_text(encoding="utf-8") == "数据抓取结果"
    assert (tmp_path / "target.sh").read_text(encoding="utf-8") == "鏁版嵁鎶撳彇缁撴灉"


def test_check_says_which_earlier_outputs_it_skipped(tmp_path, capsys):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "notes.repaired.txt").write_text("鏁版嵁鎶撳彇缁撴灉", encoding="utf-8")
    (d / "sub" / "b.repaired.md").write_text("干净的中文", encoding="utf-8")
    (d / "a.txt").write_text("鏁版嵁鎶撳彇缁撴灉", encoding="utf-8")
    assert main(["repair", "--check", str(d)]) == 1
    out, err = capsys.readouterr()
    assert out == f"{d / 'a.txt'}: utf8_as_gbk\n"
    assert err == (f"luanma: skipped 2 files named *.repaired.* (taken for earlier outputs; "
                   f"name a file to have it read): {d / 'notes.repaired.txt'}, "
                   f"{d / 'sub' / 'b.repaired.md'}\n")
    # named on the command line, it is read
    assert main(["repair", "--check", str(d / "notes.repaired.txt"), str(d / "a.txt")]) == 1
    out, err = capsys.readouterr()
    assert out == f"{d / 'notes.repaired.txt'}: utf8_as_gbk\n{d / 'a.txt'}: utf8_as_gbk\n"
    assert err == ""


def test_a_second_run_counts_its_skipped_outputs(tmp_path, capsys):
    d = tmp_path / "d"
    d.mkdir()
    for i in range(7):
        (d / f"p{i}.txt").write_text("鏁版嵁", encoding="utf-8")
    assert main(["repair", str(d)]) == 0
    assert capsys.readouterr().err == ""
    assert main(["repair", str(d)]) == 0  # the 7 outputs are not repaired again
    err = capsys.readouterr().err
    first = ", ".join(str(d / f"p{i}.repaired.txt") for i in range(5))
    # (and writes them again, over the first run's: said too)
    assert err == (f"luanma: skipped 7 files named *.repaired.* (taken for earlier outputs; "
                   f"name a file to have it read): {first} and 2 more\n"
                   f"luanma: wrote over 7 existing file(s), taken for earlier outputs: "
                   f"{first} and 2 more\n")
    assert not list(d.glob("*.repaired.repaired.txt"))


# --- inputs over the document limit (LUANMA_MAX_DOCUMENT_BYTES) -------------------------


@pytest.fixture
def doc_limit(monkeypatch):
    """LUANMA_MAX_DOCUMENT_BYTES set to 1000 for one test (settings are read
    once per process: the cache is cleared before and after)."""
    from app.settings import get_settings

    monkeypatch.setenv("LUANMA_MAX_DOCUMENT_BYTES", "1000")
    get_settings.cache_clear()
    yield 1000
    get_settings.cache_clear()


_OVER = "luanma: {}: over the 1000-byte document limit (LUANMA_MAX_DOCUMENT_BYTES); skipped\n"


def test_a_file_over_the_document_limit_is_skipped(tmp_path, doc_limit, capsysbinary):
    # tester's report S1: `luanma repair /dev/zero` read without end, then MemoryError
    big, ok = tmp_path / "big.txt", tmp_path / "ok.txt"
    big.write_bytes(b"x" * (doc_limit + 1))
    ok.write_bytes(b"y" * doc_limit)  # at the limit: read
    assert main(["repair", str(big)]) == 2
    out, err = capsysbinary.readouterr()
    assert out == b"" and err.decode() == _OVER.format(big)
    assert main(["repair", str(ok)]) == 0
    assert capsysbinary.readouterr() == (b"y" * doc_limit, b"")
    # among several inputs: named, skipped, the others done
    assert main(["repair", str(big), str(ok)]) == 2
    assert capsysbinary.readouterr().err.decode() == _OVER.format(big)
    assert not (tmp_path / "big.repaired.txt").exists()
    assert (tmp_path / "ok.repaired.txt").read_bytes() == b"y" * doc_limit


def test_stdin_over_the_document_limit_is_refused(monkeypatch, doc_limit, capsys):
    import io

    stdin = io.BytesIO(b"z" * (3 * doc_limit))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
    assert main(["repair", "--check"]) == 2
    assert capsys.readouterr() == ("", _OVER.format("stdin"))
    assert stdin.tell() == doc_limit + 1  # not read further


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_over_the_document_limit_is_not_read_to_its_end(tmp_path):
    # as <(command): a stream with no size, fed more than the limit
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    fed = []

    def feed():
        try:
            with open(fifo, "wb") as f:
                for _ in range(1000):  # 900,000 bytes, far over 1000 (and a pipe buffer)
                    f.write("鏁版嵁".encode() * 100)
                    fed.append(1)
        except BrokenPipeError:  # the reader stopped: as it should
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        r = subprocess.run([sys.executable, "-m", "app.cli", "repair", str(fifo)],
                           capture_output=True, timeout=120, cwd=ROOT,
                           env={**os.environ, "LUANMA_MAX_DOCUMENT_BYTES": "1000"})
    finally:
        with contextlib.suppress(OSError):  # a writer still waiting for a reader
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(10)
    assert (r.returncode, r.stdout) == (2, b"")
    assert r.stderr.decode() == _OVER.format(fifo)
    assert len(fed) < 1000  # the writer was cut off


def test_ndjson_lines_are_read_with_a_bound(monkeypatch, doc_limit, capsysbinary):
    # (already bounded: a line over 4 x the limit is skipped as it is read,
    # and the lines after it are answered)
    import io

    lines = [json.dumps({"id": 1, "text": "鏁" * 2000}), json.dumps({"id": 2, "text": "鏁版嵁"})]
    stdin = io.BytesIO("\n".join(lines).encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
    assert main(["repair", "--ndjson"]) == 0
    slots = [json.loads(x) for x in capsysbinary.readouterr().out.decode().splitlines()]
    assert slots[0] == {"id": None, "line": 1, "error": {
        "code": "input_too_large",
        "message": "line 1 is over the 4000-byte line limit (4 times the document limit)"}}
    assert slots[1]["id"] == 2 and slots[1]["text"] == "数据"


@pytest.mark.parametrize("where", [[], ["--output-dir", "out"], ["--in-place"]],
                         ids=["beside", "output-dir", "in-place"])
def test_detect_only_with_several_inputs_lists_damage_and_writes_nothing(
        tmp_path, capsys, monkeypatch, where):
    # tester's report S2: it wrote *.repaired.* copies and said nothing
    monkeypatch.chdir(tmp_path)
    d = _tree(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert main(["repair", "--detect-only", str(d / "a.txt"), str(d / "sub" / "b.md"),
                 str(d / "clean.txt"), *where]) == 0  # damage found, yet exit 0
    assert capsys.readouterr() == (f"{d / 'sub' / 'b.md'}: utf8_as_gbk\n", "")
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    # a directory too; an error among them is exit 2, as with --check
    (d / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert main(["repair", "--detect-only", str(d), *where]) == 2
    out, err = capsys.readouterr()
    assert out == f"{d / 'sub' / 'b.md'}: utf8_as_gbk\n"
    assert err.startswith(f"luanma: {d / 'img.png'}: ")
    assert not list(tmp_path.rglob("*.repaired.*")) and not (tmp_path / "out").exists()


def test_writing_over_a_file_beside_the_input_is_said(tmp_path, capsys):
    # tester's report S2: printf x > a.repaired.txt; luanma repair a.txt b.txt
    # wrote over the user's file without a word (--output-dir said so)
    (tmp_path / "a.txt").write_text("鏁版嵁", encoding="utf-8")
    (tmp_path / "b.txt").write_text("´´½¨", encoding="utf-8")
    (tmp_path / "a.repaired.txt").write_bytes(b"x")
    assert main(["repair", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]) == 0
    assert (tmp_path / "a.repaired.txt").read_text(encoding="utf-8") == "数据"
    assert capsys.readouterr().err == (
        f"luanma: wrote over 1 existing file(s), taken for earlier outputs: "
        f"{tmp_path / 'a.repaired.txt'}\n")


# --- OS errors: one line naming the user's path and the reason ---------------------------


def test_an_output_that_cannot_be_written_is_named_not_its_temporary(tmp_path, capsys):
    # tester's report S3: [Errno 21] Is a directory: 'e/.k.repaired.txt.b3cb6cef.tmp' -> ...
    (tmp_path / "k.txt").write_text("鏁版嵁", encoding="utf-8")
    (tmp_path / "j.txt").write_text("鏁版嵁", encoding="utf-8")
    (tmp_path / "k.repaired.txt").mkdir()
    assert main(["repair", str(tmp_path / "k.txt"), str(tmp_path / "j.txt")]) == 2
    assert capsys.readouterr().err == (f"luanma: {tmp_path / 'k.txt'}: cannot write "
                                       f"{tmp_path / 'k.repaired.txt'}: Is a directory\n")
    assert (tmp_path / "j.repaired.txt").read_text(encoding="utf-8") == "数据"
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # no temporary file left
        "j.repaired.txt", "j.txt", "k.repaired.txt", "k.txt"]
    # a folder in the way under --output-dir
    d = _tree(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sub").write_text("mine")
    assert main(["repair", str(d), "--output-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (f"luanma: {d / 'sub' / 'b.md'}: cannot write "
                                       f"{tmp_path / 'out' / 'sub' / 'b.md'}: Not a directory\n")
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == "创建国家卫生区"


def test_in_place_that_cannot_be_written_says_why(tmp_path, capsys, monkeypatch):
    import errno

    f = tmp_path / "a.txt"
    f.write_text("鏁版嵁", encoding="utf-8")

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    assert main(["repair", "--in-place", str(f)]) == 2
    assert capsys.readouterr().err == f"luanma: {f}: cannot write over it: Permission denied\n"
    assert os.listdir(tmp_path) == ["a.txt"] and f.read_text(encoding="utf-8") == "鏁版嵁"


def test_an_input_that_cannot_be_read_is_named_once(tmp_path, capsys):
    assert main(["repair", str(tmp_path / "none.txt")]) == 2
    assert capsys.readouterr().err == (f"luanma: {tmp_path / 'none.txt'}: "
                                       "No such file or directory\n")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    assert main(["repair", "--check", str(tmp_path / "d")]) == 2
    assert capsys.readouterr().err == (f"luanma: {tmp_path / 'd' / 'gone.txt'}: "
                                       "No such file or directory\n")


@pytest.mark.parametrize("out", ["a.txt", "a.txt/sub"])
def test_an_output_dir_that_is_a_file_is_one_error_before_any_input(
        tmp_path, capsys, monkeypatch, out):
    # tester's report S3: [Errno 17] File exists: 'a.txt', once per input
    monkeypatch.chdir(tmp_path)
    for name in ("a.txt", "b.txt", "c.txt"):
        Path(name).write_text("鏁版嵁", encoding="utf-8")
    assert main(["repair", "b.txt", "c.txt", "--output-dir", out]) == 2
    said = "not a directory" if out == "a.txt" else "a.txt is not a directory"
    assert capsys.readouterr() == ("", f"luanma: --output-dir {out}: {said}\n")
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.txt", "c.txt"]
