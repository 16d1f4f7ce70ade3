"""Compile the .po catalogues to .mo without GNU gettext, so that a fresh machine needs only
Python. Run by `make setup`; the .mo files are build output and not committed."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def main() -> None:
    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as f:
            catalog = read_po(f)
        with open(mo_path, "wb") as f:
            write_mo(f, catalog)


if __name__ == "__main__":
    main()
