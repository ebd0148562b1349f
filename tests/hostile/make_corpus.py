"""Writes the hostile corpus (python3 tests/hostile/make_corpus.py). The files it writes are the
corpus and are committed; this script only keeps them easy to review and to extend. Each file's
first line is its expectation (see tests/test_hostile.py)."""

# ruff: noqa: E501, E731
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent
for folder in ("advisories", "paths", "rules", "templates"):
    shutil.rmtree(ROOT / folder, ignore_errors=True)
BASE = """title: Test advisory
country: MA
issued: 2017-07-15T17:12:00+00:00
severity: warning
threat: terrorism
summary: A summary.
event: An event.
"""


def adv(name, expect, body=None, *, extra="", replace=None, raw=None, folder="advisories"):
    path = ROOT / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_bytes(raw)
        return
    text = BASE if body is None else body
    if replace:
        old, new = replace
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(f"# expect: {expect}\n{text}{extra}", encoding="utf-8", newline="")


H = lambda e: f"# expect: {e}\n".encode()
# --- YAML structure and encoding -----------------------------------------------------------
adv(
    "yaml-duplicate-key.yaml",
    "3:1: duplicate key 'title' (first given on line 2)",
    replace=("country:", "title: Again\ncountry:"),
)
adv(
    "yaml-duplicate-nested-key.yaml",
    "11:5: duplicate key 'title' (first given on line 10)",
    extra="sources:\n  - title: A\n    title: B\n",
)
adv(
    "yaml-tab-indent.yaml",
    "10:1: YAML syntax error: a tab character (YAML indents with spaces only); indent with spaces, not tabs",
    extra="sources:\n\t- title: A\n",
)
adv("yaml-unclosed-quote.yaml", "9:1: YAML syntax error", replace=("title: Test advisory", 'title: "Test advisory'))
adv(
    "yaml-unclosed-flow.yaml",
    "7:8: YAML syntax error: did not find expected ',' or ']'",
    replace=("threat: terrorism", "threat: [terrorism"),
)
adv(
    "yaml-colon-in-value.yaml",
    "7:17: YAML syntax error: mapping values are not allowed in this context; put text that contains ': ' in quotes",
    replace=("summary: A summary.", "summary: Warning: roads: closed"),
)
adv(
    "yaml-at-sign.yaml",
    "7:10: YAML syntax error: found character that cannot start any token",
    replace=("summary: A summary.", "summary: @handle said"),
)
adv("yaml-two-documents.yaml", "9:1: YAML syntax error: but found another document", extra="---\ntitle: Second\n")
adv("yaml-empty.yaml", "1:1: the file is empty, not a mapping of keys", body="")
adv("yaml-only-comment.yaml", "1:1: the file is empty, not a mapping of keys", body="# nothing here\n")
adv("yaml-top-level-list.yaml", "2:1: the file is a list, not a mapping of keys", body="- title: A\n- title: B\n")
adv("yaml-top-level-scalar.yaml", "2:1: the file is a str, not a mapping of keys", body="just some pasted text\n")
adv("yaml-complex-key.yaml", "9:3: a key must be plain text", extra="? [a, b]\n: value\n")
adv("yaml-merge-key.yaml", "10:1: merge keys (<<) are not supported", extra="base: &b {area: x}\n<<: *b\n")
adv("yaml-recursive-alias.yaml", "9:7: an alias refers to itself", extra="loop: &a [*a]\n")
adv(
    "yaml-python-tag.yaml",
    "2:8: the tag !!python/object/apply:os.system is not allowed",
    replace=("title: Test advisory", 'title: !!python/object/apply:os.system ["id"]'),
)
adv(
    "yaml-python-name-key.yaml",
    "9:1: the tag !!python/name:os.system is not allowed",
    extra="!!python/name:os.system : x\n",
)
adv(
    "yaml-binary-tag.yaml",
    "2:8: the tag !!binary is not allowed",
    replace=("title: Test advisory", "title: !!binary AAECAw=="),
)
adv("yaml-set-tag.yaml", "2:8: the tag !!set is not allowed", replace=("title: Test advisory", "title: !!set {a, b}"))
adv(
    "yaml-custom-tag.yaml",
    "2:8: the tag !include is not allowed",
    replace=("title: Test advisory", "title: !include /etc/passwd"),
)
adv(
    "yaml-bad-date.yaml",
    "4:9: is not a real date (month must be in 1..12)",
    replace=("2017-07-15T17:12:00+00:00", "2017-13-45"),
)
bomb = "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9) if p else ', '.join(['x'] * 9)}]\n"
    for p, c in zip(["", "a", "b", "c", "d", "e"], "abcdef", strict=True)
)
adv("yaml-billion-laughs.yaml", "9:11: has more than 100,000 values (an alias bomb?)", extra=bomb)
adv("yaml-deep-flow.yaml", "9:56: is nested more than 50 levels deep", extra="deep: " + "[" * 3000 + "]" * 3000 + "\n")
adv(
    "yaml-deep-block.yaml",
    "59:51: is nested more than 50 levels deep",
    extra="deep:\n" + "".join(" " * i + "k:\n" for i in range(1, 60)) + " " * 60 + "x\n",
)
adv(
    "yaml-deep-alias.yaml",
    "9:27: is nested more than 50 levels deep",
    extra="a: &a " + "[" * 30 + "x" + "]" * 30 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n",
)
# (the over-size file is made by test_hostile.py: a megabyte does not belong in the repository)
adv(
    "encoding-nul-byte.yaml",
    None,
    raw=H("2:10: is a binary file (it contains NUL bytes)") + BASE.replace("Test", "Te\x00st", 1).encode(),
)
adv(
    "encoding-latin1.yaml",
    None,
    raw=H("2:25: is not valid UTF-8 (byte 0xe9)") + BASE.replace("advisory", "advisory caf\xe9", 1).encode("latin-1"),
)
adv(
    "encoding-utf16.yaml",
    None,
    raw="# expect: 1:4: is a binary file (it contains NUL bytes)\n".encode("utf-16") + BASE.encode("utf-16-le"),
)
adv(
    "encoding-overlong-utf8.yaml",
    None,
    raw=H("2:8: is not valid UTF-8 (byte 0xc0)") + BASE.encode().replace(b"Test", b"\xc0\xafTest", 1),
)
adv(
    "encoding-lone-surrogate.yaml",
    "2:16: YAML syntax error: found invalid Unicode character escape code",
    replace=("title: Test advisory", 'title: "Test \\ud800 advisory"'),
)
adv("encoding-bom-ok.yaml", None, raw=b"\xef\xbb\xbf" + H("ok") + BASE.encode())
adv("encoding-crlf-ok.yaml", None, raw=(H("ok").decode() + BASE).replace("\n", "\r\n").encode())
adv("encoding-cr-only.yaml", None, raw=(H("ok").decode() + BASE).replace("\n", "\r").encode())
adv(
    "encoding-c1-nel.yaml",
    None,
    raw=H("2:1: title: contains a control character (U+0085)")
    + BASE.replace("title: Test advisory", 'title: "Test\\x85advisory"').encode(),
)
# --- fields ---------------------------------------------------------------------------------
adv(
    "field-control-bell.yaml",
    "2:1: title: contains a control character (U+0007)",
    replace=("title: Test advisory", 'title: "Test\\aadvisory"'),
)
adv(
    "field-control-escape.yaml",
    "7:1: summary: contains a control character (U+001B)",
    replace=("summary: A summary.", 'summary: "\\e[31mred\\e[0m"'),
)
adv(
    "field-control-del.yaml",
    "8:1: event: contains a control character (U+007F)",
    replace=("event: An event.", 'event: "An\\x7fevent"'),
)
adv(
    "field-bidi-override.yaml",
    "2:1: title: contains a bidi override (U+202E) that reorders the text",
    replace=("title: Test advisory", 'title: "Invoice \\u202Efdp.exe"'),
)
adv(
    "field-bidi-isolate.yaml",
    "3:1: country: contains a bidi override (U+2066) that reorders the text",
    replace=("country: MA", 'country: "\\u2066MA"'),
)
adv(
    "field-title-too-long.yaml",
    "2:1: title: is longer than 300 characters",
    replace=("title: Test advisory", "title: " + "A" * 301),
)
adv(
    "field-summary-too-long.yaml",
    "7:1: summary: is longer than 2,000 characters",
    replace=("summary: A summary.", "summary: " + "word " * 500),
)
adv(
    "field-event-too-long.yaml",
    "8:1: event: is longer than 20,000 characters",
    replace=("event: An event.", "event: " + "x" * 20_001),
)
adv(
    "field-empty-title.yaml",
    "2:1: title: is empty",
    replace=("title: Test advisory", 'title: ""'),
)
adv(
    "field-title-is-list.yaml",
    "2:1: title: is not text",
    replace=("title: Test advisory", "title: [a, b]"),
)
adv(
    "field-title-is-map.yaml",
    "2:1: title: is not text",
    replace=("title: Test advisory", "title: {a: b}"),
)
adv(
    "field-huge-number.yaml",
    "2:1: title: is not text",
    replace=("title: Test advisory", "title: 1.0e+99999"),
)
adv("field-null-key.yaml", "9:1: unknown key 'null'", extra="null: x\n")
adv("field-capitalised-key.yaml", "9:1: unknown key 'Title'; did you mean 'title'?", extra="Title: x\n")
adv(
    "field-unknown-nested-key.yaml",
    "11:5: unknown key 'onclick'",
    extra="sources:\n  - title: A\n    onclick: alert(1)\n",
)
adv(
    "field-naive-datetime.yaml",
    "4:1: issued: needs a UTC offset",
    replace=("2017-07-15T17:12:00+00:00", "2017-07-15T17:12:00"),
)
adv(
    "field-source-url-javascript.yaml",
    "11:5: sources.0.url has characters that are not allowed here; use an http://, https:// or mailto: address",
    extra="sources:\n  - title: A\n    url: javascript:alert(1)\n",
)
adv(
    "field-source-url-data.yaml",
    "11:5: sources.0.url has characters that are not allowed here",
    extra="sources:\n  - title: A\n    url: data:text/html,<script>alert(1)</script>\n",
)
adv(
    "field-source-url-space-attr.yaml",
    "11:5: sources.0.url has characters that are not allowed here",
    extra='sources:\n  - title: A\n    url: "https://x.org/ onmouseover=alert(1)"\n',
)
adv(
    "field-severity-injection.yaml",
    "5:1: severity has characters that are not allowed here",
    replace=("severity: warning", 'severity: "x\\" onload=\\"alert(1)"'),
)
adv(
    "field-threat-injection.yaml",
    "6:1: threat has characters that are not allowed here",
    replace=("threat: terrorism", 'threat: "<script>"'),
)
# --- paths and ids ----------------------------------------------------------------------------
adv(
    "id-dotdot.yaml",
    "9:1: id has characters that are not allowed here; use lower-case letters, digits, '-', '.' or '_'",
    extra="id: ../../etc/passwd\n",
    folder="paths",
)
adv("id-absolute.yaml", "9:1: id has characters that are not allowed here", extra="id: /tmp/evil\n", folder="paths")
adv("id-slash.yaml", "9:1: id has characters that are not allowed here", extra="id: a/b\n", folder="paths")
adv("id-backslash.yaml", "9:1: id has characters that are not allowed here", extra='id: "a\\\\b"\n', folder="paths")
adv("id-dots-only.yaml", "9:1: id has characters that are not allowed here", extra='id: ".."\n', folder="paths")
adv("id-leading-dot.yaml", "9:1: id has characters that are not allowed here", extra="id: .hidden\n", folder="paths")
adv(
    "id-too-long.yaml",
    "9:1: id has characters that are not allowed here",
    extra="id: " + "a" * 101 + "\n",
    folder="paths",
)
adv("id-nul.yaml", "9:1: id has characters that are not allowed here", extra='id: "a\\0b"\n', folder="paths")
adv("id-upper-unicode.yaml", "9:1: id has characters that are not allowed here", extra="id: Ünïcode\n", folder="paths")
adv("id-is-number.yaml", "9:1: id: is not text", extra="id: 42\n", folder="paths")
adv(
    "supersedes-dotdot.yaml",
    "9:1: supersedes has characters that are not allowed here",
    extra="supersedes: ../../admin\n",
    folder="paths",
)
adv(
    "Upper Case Name!.yaml",
    "2:1: the id taken from the file name has characters that are not allowed here; rename the file or add 'id: ...'",
    folder="paths",
)
adv(
    "-leading-dash.yaml",
    "2:1: the id taken from the file name has characters that are not allowed here",
    folder="paths",
)
adv(
    "semi;colon$(id).yaml",
    "2:1: the id taken from the file name has characters that are not allowed here",
    folder="paths",
)
# --- Markdown and HTML in text: rendered as inert text (exit 0) -------------------------------
md = lambda name, text: adv(
    name, "ok", replace=("event: An event.", "event: |\n" + "".join("  " + line + "\n" for line in text.splitlines()))
)
md("md-script-tag.yaml", "<script>alert(document.cookie)</script>")
md("md-img-onerror.yaml", "<img src=x onerror=alert(1)>")
md("md-svg-onload.yaml", "<svg/onload=alert(1)>")
md("md-javascript-link.yaml", "[click me](javascript:alert(1))")
md("md-javascript-mixed-case.yaml", "[click](JaVaScRiPt:alert(1)) and [tab](java\tscript:alert(1))")
md("md-javascript-entity.yaml", "[click](&#106;avascript:alert(1)) [colon](javascript&#58;alert(1))")
md("md-data-html-link.yaml", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")
md("md-vbscript-link.yaml", "[click](vbscript:msgbox(1))")
md("md-image.yaml", "![x](https://evil.example/track.png) ![y](javascript:alert(1))")
md("md-reference-link.yaml", "[click][1]\n\n[1]: javascript:alert(1)")
md("md-autolink-js.yaml", '<javascript:alert(1)> and <http://a.example/"onmouseover=alert(1)>')
md("md-attribute-break.yaml", '[x](http://a.example/" onclick="alert(1))')
md("md-iframe.yaml", "<iframe src=https://evil.example></iframe>")
md("md-html-comment.yaml", "<!-- <script>alert(1)</script> -->")
md("md-style-tag.yaml", "<style>body{background:url(javascript:alert(1))}</style>")
md("md-entities.yaml", "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;")
md("md-jinja-in-text.yaml", "{{ ''.__class__.__mro__[1].__subclasses__() }} {% for x in range(9**9) %}{% endfor %}")
adv(
    "md-title-html.yaml",
    "ok",
    replace=("title: Test advisory", 'title: "<img src=x onerror=alert(1)>\\"><script>alert(1)</script>"'),
)
adv("md-area-html.yaml", "ok", extra='area: "</span><script>alert(1)</script>"\n')
adv(
    "md-source-title-html.yaml",
    "ok",
    extra='sources:\n  - title: "<a href=javascript:alert(1)>x</a>"\n    url: "https://ok.example/?q=\\"><script>alert(1)</script>"\n',
)


# --- rule files (installed as rules/general.yaml) ---------------------------------------------
def rule(name, expect, advice=None, body=None):
    text = body if body is not None else f"sources: [hostile corpus]\nrules:\n  - id: evil\n    advice: {advice}\n"
    path = ROOT / "rules" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# expect: {expect}\n{text}", encoding="utf-8")


U = "access to attribute '{}' of '{}' object is unsafe."
rule(
    "rule-class-escape.yaml",
    "4:3: rule 'evil': " + U.format("__class__", "str"),
    "\"{{ ''.__class__.__mro__[1].__subclasses__() }}\"",
)
rule(
    "rule-globals-via-cycler.yaml",
    "4:3: rule 'evil': " + U.format("__init__", "type"),
    "\"{{ cycler.__init__.__globals__.os.system('id') }}\"",
)
rule(
    "rule-globals-via-lipsum.yaml",
    "4:3: rule 'evil': " + U.format("__globals__", "function"),
    "\"{{ lipsum.__globals__['os'] }}\"",
)
rule(
    "rule-format-string.yaml",
    "4:3: rule 'evil': " + U.format("__class__", "str"),
    "\"{{ '{0.__class__}'.format(country) }}\"",
)
rule(
    "rule-attr-filter.yaml", "4:3: rule 'evil': " + U.format("__class__", "str"), "\"{{ country|attr('__class__') }}\""
)
rule(
    "rule-list-mutation.yaml", "4:3: rule 'evil': " + U.format("append", "list"), "\"{{ cities.append('Atlantis') }}\""
)
rule(
    "rule-range-bomb.yaml",
    "4:3: rule 'evil': loops over range() ran past 200,000 iterations",
    '"{% for i in range(10**9) %}{% endfor %}"',
)
rule("rule-zero-division.yaml", "4:3: rule 'evil': division by zero", '"{{ 1 / 0 }}"')
rule(
    "rule-recursive-macro.yaml",
    "4:3: rule 'evil': maximum recursion depth exceeded",
    '"{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"',
)
rule("rule-undefined-variable.yaml", "4:3: rule 'evil': 'password' is undefined", '"{{ password }}"')
rule(
    "rule-syntax-error.yaml",
    "6:5: rule 'evil': template error in advice: Unexpected end of template",
    '"{% for x in cities %}"',
)
rule(
    "rule-id-dotdot.yaml",
    "4:5: rules.0.id has characters that are not allowed here",
    body="sources: [x]\nrules:\n  - id: ../../etc\n    advice: x\n",
)
rule(
    "rule-duplicate-key.yaml",
    "6:5: duplicate key 'advice' (first given on line 5)",
    body="sources: [x]\nrules:\n  - id: evil\n    advice: a\n    advice: b\n",
)
rule(
    "rule-python-tag.yaml",
    "5:13: the tag !!python/object/apply:os.system is not allowed",
    body='sources: [x]\nrules:\n  - id: evil\n    advice: !!python/object/apply:os.system ["id"]\n',
)
rule(
    "rule-unknown-key.yaml",
    "5:5: unknown key 'exec'",
    body="sources: [x]\nrules:\n  - id: evil\n    exec: rm -rf /\n    advice: x\n",
)
rule(
    "rule-control-char.yaml",
    "5:5: rules.0.advice: contains a control character (U+001B)",
    '"\\e]8;;http://evil\\e\\\\"',
)
rule(
    "rule-alias-bomb.yaml",
    "3:14: has more than 100,000 values (an alias bomb?)",
    body="sources: [x]\n"
    + "".join(
        f"{c}: &{c} [{', '.join(['*' + q] * 9) if q else ', '.join(['x'] * 9)}]\n"
        for q, c in zip(["", "a", "b", "c", "d", "e"], "abcdef", strict=True)
    ),
)
rule("rule-html-in-advice-ok.yaml", "ok", '"<script>alert(1)</script> <img src=x onerror=alert(1)> in {{ country }}"')


# --- templates: tpl-* replace templates/page.html.j2 (HTML), pdf-* replace pdf.html.j2 (PDF) ---
def tpl(name, expect, body):
    path = ROOT / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{{# expect: {expect} #}}\n{body}\n", encoding="utf-8")


T = "template error: "
tpl("tpl-class-escape.j2", "2:1: " + T + U.format("__class__", "str"), "{{ ''.__class__.__mro__[1].__subclasses__() }}")
tpl("tpl-dict-class.j2", "2:1: " + T + U.format("__class__", "dict"), "{{ advisory.__class__ }}")
tpl("tpl-lipsum-globals.j2", "2:1: " + T + U.format("__globals__", "function"), "{{ lipsum.__globals__ }}")
tpl("tpl-cycler-globals.j2", "2:1: " + T + U.format("__init__", "type"), "{{ cycler.__init__.__globals__ }}")
tpl("tpl-self-dict.j2", "2:1: " + T + U.format("__dict__", "TemplateReference"), "{{ self.__dict__ }}")
tpl("tpl-format-attr.j2", "2:1: " + T + U.format("__class__", "dict"), '{{ "{0.__class__}".format(advisory) }}')
tpl("tpl-attr-filter.j2", "2:1: " + T + U.format("__class__", "dict"), "{{ advisory|attr('__class__') }}")
tpl("tpl-map-attribute.j2", "ok", "{{ [advisory]|map(attribute='__class__')|list }}")
tpl("tpl-list-mutation.j2", "2:1: " + T + U.format("append", "list"), "{{ advisory.threats.append(1) }}")
tpl("tpl-dict-mutation.j2", "2:1: " + T + U.format("update", "dict"), "{{ advisory.update(title='x') }}")
tpl("tpl-undefined.j2", "3:1: " + T + "'dict object' has no attribute 'password'", "<p>\n{{ advisory.password }}</p>")
tpl("tpl-syntax.j2", "3:1: " + T + "Unexpected end of template", "<p>\n{% for x in advisory.threats %}")
tpl("tpl-unknown-tag.j2", "2:1: " + T + "Encountered unknown tag 'exec'", "{% exec 'import os' %}")
tpl("tpl-include-etc-passwd.j2", "2:1: " + T + "/etc/passwd", '{% include "/etc/passwd" %}')
tpl(
    "tpl-include-dotdot.j2",
    "2:1: " + T + "../../../../../../etc/passwd",
    '{% include "../../../../../../etc/passwd" %}',
)
tpl("tpl-import-os.j2", "2:1: " + T + "os", "{% import 'os' as os %}")
tpl("tpl-zero-division.j2", "3:1: " + T + "division by zero", "<p>\n{{ 1 / 0 }}</p>")
tpl(
    "tpl-recursive-macro.j2",
    "2:1: " + T + "maximum recursion depth exceeded",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
)
tpl(
    "tpl-range-bomb.j2",
    "2:1: " + T + "loops over range() ran past 200,000 iterations",
    "{% for i in range(10**9) %}{% endfor %}",
)
tpl("tpl-type-error.j2", "2:1: " + T + "unsupported operand type(s) for +: 'int' and 'str'", "{{ 1 + advisory.title }}")
tpl(
    "tpl-markdown-unsafe-ok.j2",
    "ok",
    "<p>{{ advisory.title }}</p>{{ '<script>alert(1)</script>[x](javascript:alert(1))' | markdown }}",
)
PDF = "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>{{{{ advisory.title }}}}</title>\n{}\n</head><body><p>{{{{ advisory.title }}}}</p>{}</body></html>"
F = "the PDF of advisory 'hostile' refers to "
tpl(
    "pdf-css-file-etc-passwd.j2",
    "4:31: " + F + "file:///etc/passwd, which may not be fetched",
    PDF.format("<style>body { background: url(file:///etc/passwd) }</style>", ""),
)
tpl(
    "pdf-file-localhost.j2",
    "4:28: " + F + "file://localhost/etc/shadow",
    PDF.format('<link rel=stylesheet href="file://localhost/etc/shadow">', ""),
)
tpl(
    "pdf-link-dotdot.j2",
    "4:56: " + F + "file:///etc/passwd",
    PDF.format('<link rel=stylesheet href="../../../../../../../../etc/passwd">', ""),
)
tpl(
    "pdf-img-dotdot.j2",
    "6:39: " + F + "file:///etc/hostname",
    PDF.format("", '\n<img src="../../../../../../../../etc/hostname">'),
)
tpl(
    "pdf-css-import-loopback.j2",
    "4:20: " + F + "http://127.0.0.1:@PORT@/import.css",
    PDF.format("<style>@import url(http://127.0.0.1:@PORT@/import.css);</style>", ""),
)
tpl(
    "pdf-link-loopback.j2",
    "4:28: " + F + "http://127.0.0.1:@PORT@/style.css",
    PDF.format('<link rel=stylesheet href="http://127.0.0.1:@PORT@/style.css">', ""),
)
tpl(
    "pdf-font-face-loopback.j2",
    "4:46: " + F + "http://127.0.0.1:@PORT@/font.woff",
    PDF.format(
        "<style>@font-face { font-family: X; src: url(http://127.0.0.1:@PORT@/font.woff) } p { font-family: X }</style>",
        "",
    ),
)
tpl(
    "pdf-img-loopback.j2",
    "6:11: " + F + "http://127.0.0.1:@PORT@/pixel.png",
    PDF.format("", '\n<img src="http://127.0.0.1:@PORT@/pixel.png">'),
)
tpl(
    "pdf-base-href-loopback.j2",
    "4:28: " + F + "http://127.0.0.1:@PORT@/relative.css",
    PDF.format('<base href="http://127.0.0.1:@PORT@/"><link rel=stylesheet href="relative.css">', "")
    .replace('<base href="http://127.0.0.1:@PORT@/">', '<base href="http://127.0.0.1:@PORT@/">\n')
    .replace("\n<base", "<base"),
)
tpl(
    "pdf-cloud-metadata.j2",
    "4:28: " + F + "http://169.254.169.254/latest/meta-data/",
    PDF.format('<link rel=stylesheet href="http://169.254.169.254/latest/meta-data/">', ""),
)
tpl(
    "pdf-object-file.j2",
    "6:15: " + F + "file:///etc/passwd",
    PDF.format("", '\n<object data="file:///etc/passwd"></object>'),
)
tpl(
    "pdf-svg-nested-file.j2",
    "6:155: " + F + "file:///etc/passwd",
    PDF.format(
        "",
        "\n<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' width='10' height='10'><image xlink:href='file:///etc/passwd' width='10' height='10'/></svg>\">",
    ),
)
tpl(
    "pdf-nul-in-url.j2",
    "4:28: " + F + "file:///etc/passwd%00.css",
    PDF.format('<link rel=stylesheet href="file:///etc/passwd%00.css">', ""),
)
tpl(
    "pdf-link-attachment.j2",
    "4:51: the PDF of advisory 'hostile' would attach",
    PDF.format('<link rel="attachment" href="advisory.css" title="leak">', ""),
)
tpl(
    "pdf-a-attachment.j2",
    "6:27: the PDF of advisory 'hostile' would attach",
    PDF.format("", '\n<a rel="attachment" href="print.css">notes</a>'),
)
tpl(
    "pdf-data-uri-ok.j2",
    "ok",
    PDF.format("<style>p { background: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=) }</style>", ""),
)
adv(
    "encoding-raw-control.yaml",
    None,
    raw=H("2:16: contains a character that YAML does not allow (U+0001)")
    + BASE.replace("advisory", "adv\x01isory", 1).encode(),
)
adv(
    "encoding-noncharacter.yaml",
    None,
    raw=H("2:16: contains a character that YAML does not allow (U+FFFE)")
    + BASE.replace("advisory", "adv\ufffeisory", 1).encode(),
)
adv(
    "field-terminal-escape-in-key.yaml",
    "9:1: unknown key '\\u001b]0;pwned\\u0007\\u001b[2J'",
    extra='"\\e]0;pwned\\a\\e[2J": x\n',
)
adv("field-line-break-in-key.yaml", "9:1: unknown key 'a\\u001eb\\u2028c'", extra='"a\\x1eb\\u2028c": x\n')
