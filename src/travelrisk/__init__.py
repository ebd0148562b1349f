"""travelrisk: structured threat context in, professional travel-risk advisories out.

The library API (the CLI is a thin face over it):

    from travelrisk.workspace import Workspace
    from travelrisk.build import build, render

    ws = Workspace(Path("."))
    res = ws.resolve(Path("advisories/ma-2017-07-15-returning-fighters.yaml"))
    pdf_bytes = render(ws, res, "pdf")
"""

__version__ = "0.1.0"
