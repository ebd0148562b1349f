"""`python -m travelrisk` and the `travelrisk` command."""

import sys

from .pdfpool import prestart, prestart_build


def main() -> None:
    prestart(sys.argv[1:])  # before the CLI's imports: a PDF's worker starts importing WeasyPrint now
    prestart_build(sys.argv[1:])  # likewise a build's PDF workers
    from .cli import run

    run()


if __name__ == "__main__":
    main()
