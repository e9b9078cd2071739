"""Reading the titles to code from a file (``skilltide onet code-titles --file``)."""

from __future__ import annotations

import pytest

from skilltide.errors import UserError
from skilltide.onet.coder_io import read_titles


def test_txt_titles_without_the_byte_order_mark(tmp_path):
    path = tmp_path / "titles.txt"
    path.write_text("Registered Nurse\r\n\r\nJava Developer\r\n", encoding="utf-8-sig")
    assert read_titles(path, None) == ["Registered Nurse", None, "Java Developer"]


def test_txt_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "titles.txt"
    path.write_bytes(b"Registered Nurse\nJava \xff Developer\n")
    with pytest.raises(UserError, match=r"titles.txt, line 2: not valid UTF-8"):
        read_titles(path, None)


def test_csv_that_is_not_utf8_names_the_line(tmp_path):
    # A title list saved by Excel as cp1252: before, 'cannot read as CSV: invalid utf-8
    # sequence', with no line to look at.
    path = tmp_path / "ads.csv"
    path.write_bytes(b"id,title\n1,Nurse\n2,Caf\xe9 manager\n")
    with pytest.raises(UserError, match=r"ads.csv, line 3: not valid UTF-8"):
        read_titles(path, "title")


def test_csv_with_a_field_too_many_names_the_line(tmp_path):
    path = tmp_path / "titles.csv"
    path.write_text("id,title\n1,Registered Nurse\n2,Java, Developer\n")
    with pytest.raises(UserError, match=r"titles.csv: line 3: 3 fields where the header has 2"):
        read_titles(path, "title")


def test_csv_with_a_quote_never_closed_names_the_file_and_row(tmp_path):
    # Before: 'cannot read as CSV: could not parse `"Staff RN` ...', with no row to look at.
    path = tmp_path / "titles.csv"
    # and the row, not the line to look at, when a closed quoted field spans two lines
    path.write_text('id,title\n1,"Registered\nNurse"\n2,"Staff RN\n3,Java Developer\n')
    with pytest.raises(UserError, match=r"titles.csv: not a valid CSV file at row 2 \(line 4\)"):
        read_titles(path, "title")


def test_csv_with_closed_quotes_is_read(tmp_path):
    path = tmp_path / "titles.csv"
    path.write_text('id,title\n1,"Nurse, Staff"\n2,"Java ""Senior"" Developer"\n')
    assert read_titles(path, "title") == ["Nurse, Staff", 'Java "Senior" Developer']


def test_a_quote_inside_an_unquoted_title_is_a_character(tmp_path):
    # Before: 'cannot read as CSV: CSV malformed: expected 0 rows, actual 3 rows' (polars).
    path = tmp_path / "titles.csv"
    path.write_text('title,n\n5" Pipe Fitter,1\nNurse,\n"Sr. Dev, Remote",3\n12,4\n')
    assert read_titles(path, "title") == ['5" Pipe Fitter', "Nurse", "Sr. Dev, Remote", "12"]
    assert read_titles(path, "n") == ["1", None, "3", "4"]
