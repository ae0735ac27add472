"""The luanma command."""

from __future__ import annotations

import json
import subprocess
import sys

from app.cli import main


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


def test_bad_convert(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text("x")
    assert main(["repair", str(f), "--convert", "nope"]) == 2
    assert "unknown OpenCC config" in capsys.readouterr().err


def test_console_script_installed():
    out = subprocess.run([sys.executable, "-m", "app.cli", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "luanma 0.1.0"
