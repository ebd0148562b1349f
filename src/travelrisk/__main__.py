"""`python -m travelrisk` and the `travelrisk` command."""

import sys

from .pdfpool import prestart


def main() -> None:
    prestart(sys.argv[1:])  # before the CLI's imports: a PDF's worker starts importing WeasyPrint now
    from .cli import run

    run()


if __name__ == "__main__":
    main()
