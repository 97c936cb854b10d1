"""`cubegraph ingest --report FILE`: every file's outcome and every note on its cube, in JSON
or as a table, and the notes per kind in the summary (issue 13). Through the console script,
on a store on disk."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests_support import run_cli, write_example


def no_units_file(path):
    """t(lat) whose standard name has units but which gives none: a 'units-missing' note."""
    import netCDF4

    with netCDF4.Dataset(path, "w") as ds:
        ds.title = "no units"
        ds.createDimension("lat", 2)
        lat = ds.createVariable("lat", "f8", ("lat",))
        lat.setncatts({"standard_name": "latitude", "units": "degrees_north"})
        lat[:] = [1.0, 2.0]
        t = ds.createVariable("t", "f8", ("lat",))
        t.standard_name = "air_temperature"
        t[:] = np.array([280.0, 281.0])
    return path


@pytest.fixture
def batch(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_example(data / "good.nc", "netcdf4")
    no_units_file(data / "nounits.nc")
    (data / "broken.nc").write_bytes(b"CDF\x01 not really netcdf")
    return data


def test_the_report_lists_every_file_and_note_in_json_then_as_a_table(batch, tmp_path):
    store = str(tmp_path / "store")
    report = tmp_path / "report.json"
    proc = run_cli("--store", store, "ingest", "-q", str(batch), "--report", str(report),
                   cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # broken.nc failed
    assert "notes per kind: " in proc.stdout and "units-missing 1" in proc.stdout
    assert f"report: {report} (3 file(s)" in proc.stdout
    doc = json.loads(report.read_text())
    files = {f["path"].rsplit("/", 1)[-1]: f for f in doc["files"]}
    assert set(files) == {"good.nc", "nounits.nc", "broken.nc"}
    assert files["broken.nc"]["status"] == "failed" and "broken.nc" in files["broken.nc"]["error"]
    assert files["broken.nc"]["notes"] == []
    [note] = [n for n in files["nounits.nc"]["notes"] if n["code"] == "units-missing"]
    assert note["about"] == "t" and "'t'" in note["message"]
    assert note["rule"].endswith("#units")
    assert doc["counts"]["units-missing"] == 1
    assert doc["rules"]["units-missing"]["rule"].startswith("CF 1.11 section 3.1")
    assert sum(doc["counts"].values()) == sum(len(f["notes"]) for f in doc["files"])

    # again, as a table: the cubes are unchanged now, their notes are still reported
    table = tmp_path / "report.txt"
    proc = run_cli("--store", store, "ingest", "-q", str(batch / "good.nc"),
                   str(batch / "nounits.nc"), "--report", str(table), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 unchanged" in proc.stdout and "notes per kind" not in proc.stdout
    text = table.read_text()
    assert "notes per kind" in text and "units-missing" in text
    assert "CF 1.11 section 3.1 Units" in text
    assert "unchanged " in text and "    [units-missing] t: " in text


def test_a_report_into_a_missing_folder_is_refused_before_anything_is_written(batch, tmp_path):
    store = tmp_path / "store"
    proc = run_cli("--store", str(store), "ingest", "-q", str(batch / "good.nc"),
                   "--report", str(tmp_path / "nowhere" / "r.json"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "--report" in proc.stderr and "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not store.exists()


# --- the writer, on its own ------------------------------------------------------------------

def a_report():
    from cubegraph.ingest.report import FileReport, IngestReport
    from cubegraph.kg.records.notes import CubeNote

    note = CubeNote("units-missing", "t", "variable 't'\nhas no units", None, 1)
    return IngestReport([FileReport("/data/caf\udce9.nc", "ingested", "http://x/c", None, [note])])


def test_the_writer_follows_a_link_and_gives_the_usual_permissions(tmp_path):
    import os
    import stat

    from cubegraph.ingest.report import write_report

    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_report(a_report(), link)
    assert link.is_symlink() and "units-missing" in target.read_text()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_writer_writes_into_what_is_not_a_file_without_replacing_it(tmp_path):
    """A named pipe (as /dev/stdout or /dev/null would be) is written to, not replaced."""
    import os
    import stat
    import threading

    from cubegraph.ingest.report import write_report

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_report(a_report(), fifo)
    reader.join(10)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(got[0])["counts"] == {"units-missing": 1}


def test_undecodable_names_and_newlines_do_not_break_a_report(tmp_path):
    from cubegraph.ingest.report import write_report

    write_report(a_report(), tmp_path / "r.json")
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["files"][0]["path"] == "/data/caf\\udce9.nc"
    write_report(a_report(), tmp_path / "r.txt")
    lines = (tmp_path / "r.txt").read_text(encoding="utf-8").splitlines()
    assert "    [units-missing] t: variable 't'\\nhas no units" in lines


def test_a_dash_writes_the_table_to_stdout(batch, tmp_path):
    proc = run_cli("--store", str(tmp_path / "store"), "ingest", "-q", str(batch / "nounits.nc"),
                   "--report", "-", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "cubegraph ingest report: 1 file(s)" in proc.stdout
    assert not (tmp_path / "-").exists()
