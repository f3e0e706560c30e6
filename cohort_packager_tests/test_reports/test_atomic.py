import pytest

from cohort_packager.reports import atomic, write_folder_atomically


def writer(data: bytes, rows: int = 1):
    def write(out):
        out.write(data)
        return rows

    return write


def siblings(folder):
    return sorted(path.name for path in folder.parent.iterdir() if path != folder)


def contents(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_new_folder_is_created_with_the_files_and_their_row_counts(tmp_path):
    folder = tmp_path / "reports" / "job"

    rows = write_folder_atomically(
        folder, {"a.csv": writer(b"a\n", 3), "b.md": writer(b"b\n", 0)}, keep_existing=False
    )

    assert rows == {"a.csv": 3, "b.md": 0}
    assert contents(folder) == {"a.csv": b"a\n", "b.md": b"b\n"}
    assert siblings(folder) == []


def test_old_folder_stays_complete_until_the_new_one_is_swapped_in(tmp_path):
    folder = tmp_path / "job"
    write_folder_atomically(folder, {"a.csv": writer(b"old a"), "b.csv": writer(b"old b")}, False)
    seen_while_writing = []

    def write_new_a(out):
        seen_while_writing.append(contents(folder))
        out.write(b"new a")
        return 1

    write_folder_atomically(folder, {"a.csv": write_new_a, "b.csv": writer(b"new b")}, False)

    assert seen_while_writing == [{"a.csv": b"old a", "b.csv": b"old b"}]
    assert contents(folder) == {"a.csv": b"new a", "b.csv": b"new b"}
    assert siblings(folder) == []


def test_failing_writer_leaves_the_old_folder_untouched_and_no_temporary_folder(tmp_path):
    folder = tmp_path / "job"
    write_folder_atomically(folder, {"a.csv": writer(b"old a")}, False)

    def broken(out):
        out.write(b"half")
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        write_folder_atomically(folder, {"a.csv": writer(b"new"), "b.csv": broken}, True)

    assert contents(folder) == {"a.csv": b"old a"}
    assert siblings(folder) == []


def test_keep_existing_carries_over_files_not_being_rewritten(tmp_path):
    folder = tmp_path / "job"
    write_folder_atomically(folder, {"a.csv": writer(b"old a"), "b.csv": writer(b"old b")}, False)
    (folder / "manifest.json").write_bytes(b"{}")

    rows = write_folder_atomically(folder, {"a.csv": writer(b"new a", 5)}, keep_existing=True)

    assert rows == {"a.csv": 5}
    assert contents(folder) == {"a.csv": b"new a", "b.csv": b"old b", "manifest.json": b"{}"}


def test_without_keep_existing_only_the_new_files_remain(tmp_path):
    folder = tmp_path / "job"
    write_folder_atomically(folder, {"a.csv": writer(b"old a"), "b.csv": writer(b"old b")}, False)

    write_folder_atomically(folder, {"a.csv": writer(b"new a")}, keep_existing=False)

    assert contents(folder) == {"a.csv": b"new a"}


def test_leftover_temporary_folders_of_a_crashed_run_are_removed(tmp_path):
    folder = tmp_path / "job"
    write_folder_atomically(folder, {"a.csv": writer(b"old a")}, False)
    half_built = tmp_path / (".job.new-" + "1" * 32)
    retired = tmp_path / (".job.old-" + "2" * 32)
    for leftover in (half_built, retired):
        leftover.mkdir()
        (leftover / "a.csv").write_bytes(b"stale")
    unrelated = [tmp_path / ".job.new-mine", tmp_path / (".job2.new-" + "3" * 32)]
    for path in unrelated:
        path.mkdir()

    write_folder_atomically(folder, {"a.csv": writer(b"new a")}, True)

    assert contents(folder) == {"a.csv": b"new a"}
    assert siblings(folder) == sorted(path.name for path in unrelated)


def test_folder_retired_by_a_crash_mid_swap_is_restored_before_rewriting(tmp_path):
    folder = tmp_path / "job"
    retired = tmp_path / (".job.old-" + "4" * 32)
    retired.mkdir()
    (retired / "a.csv").write_bytes(b"old a")
    (retired / "b.csv").write_bytes(b"old b")

    write_folder_atomically(folder, {"a.csv": writer(b"new a")}, keep_existing=True)

    assert contents(folder) == {"a.csv": b"new a", "b.csv": b"old b"}
    assert siblings(folder) == []


def test_swap_without_atomic_exchange_gives_the_same_result(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    folder = tmp_path / "job"
    write_folder_atomically(folder, {"a.csv": writer(b"old a"), "b.csv": writer(b"old b")}, False)

    write_folder_atomically(folder, {"a.csv": writer(b"new a")}, keep_existing=True)

    assert contents(folder) == {"a.csv": b"new a", "b.csv": b"old b"}
    assert siblings(folder) == []


@pytest.mark.parametrize("name", ["", ".", "..", "sub/a.csv"])
def test_file_names_must_be_plain(tmp_path, name):
    with pytest.raises(ValueError, match="plain file name"):
        write_folder_atomically(tmp_path / "job", {name: writer(b"x")}, False)


def test_existing_folder_is_exchanged_in_one_step_not_moved_aside(tmp_path, monkeypatch):
    folder = tmp_path / "job"
    write_folder_atomically(folder, {"a.csv": writer(b"old a")}, False)
    moved = []
    real_rename = atomic.os.rename
    monkeypatch.setattr(
        atomic.os, "rename", lambda src, dst: moved.append(src) or real_rename(src, dst)
    )

    write_folder_atomically(folder, {"a.csv": writer(b"new a")}, keep_existing=True)

    assert contents(folder) == {"a.csv": b"new a"}
    assert folder not in moved
