"""The 23 webmention.rocks discovery cases (webmention-site-feeds.md §2.5), played by a local
server on 127.0.0.1: for each, our sender finds the one right endpoint and POSTs exactly
`source` and `target` there; plus unit tests of the pure parts (RFC 8288 Link parsing)."""

from __future__ import annotations

import pytest

from hub.webmentions.send.discovery import Discovery, discover, parse_link_header
from hub.webmentions.send.sender import plan_sends, send_one
from tests.factories import make_entry
from tests.stubs import Answer
from tests.webmentions.fixtures import entry_url, make_blog


def html(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>Test</title>{head}</head><body>{body}</body></html>"


def cases(base: str) -> dict[int, tuple[dict[str, Answer], str]]:
    """Case number -> (answers by path, the path (and query) that must get the POST)."""

    def page(n: int, body: str = "", head: str = "", headers=()) -> dict[str, Answer]:
        return {f"/test/{n}": Answer(html(body, head), headers=list(headers))}

    return {
        1: (page(1, headers=[("Link", "</test/1/webmention?head=true>; rel=webmention")]),
            "/test/1/webmention?head=true"),
        2: (page(2, headers=[("Link", f"<{base}/test/2/webmention?head=true>; rel=webmention")]),
            "/test/2/webmention?head=true"),
        3: (page(3, head='<link rel="webmention" href="/test/3/webmention">'),
            "/test/3/webmention"),
        4: (page(4, head=f'<link rel="webmention" href="{base}/test/4/webmention">'),
            "/test/4/webmention"),
        5: (page(5, '<a rel="webmention" href="/test/5/webmention">endpoint</a>'),
            "/test/5/webmention"),
        6: (page(6, f'<a rel="webmention" href="{base}/test/6/webmention">endpoint</a>'),
            "/test/6/webmention"),
        7: (page(7, headers=[("LinK", f"<{base}/test/7/webmention?head=true>; rel=webmention")]),
            "/test/7/webmention?head=true"),
        8: (page(8, headers=[("Link", '</test/8/webmention?head=true>; rel="webmention"')]),
            "/test/8/webmention?head=true"),
        9: (page(9, head='<link rel="webmention somethingelse" href="/test/9/webmention">'),
            "/test/9/webmention"),
        10: (page(10, headers=[("Link", "</test/10/webmention?head=true>;"
                                        ' rel="webmention somethingelse"')]),
             "/test/10/webmention?head=true"),
        11: (page(11, '<a rel="webmention" href="/decoy/a">no</a>',
                  '<link rel="webmention" href="/decoy/link">',
                  [("Link", "</test/11/webmention>; rel=webmention")]),
             "/test/11/webmention"),
        12: (page(12, '<a rel="webmention" href="/test/12/webmention">yes</a>',
                  '<link rel="not-webmention" href="/decoy/12">'),
             "/test/12/webmention"),
        13: (page(13, '<!-- <a rel="webmention" href="/decoy/13">no</a> -->'
                      '<a rel="webmention" href="/test/13/webmention">yes</a>'),
             "/test/13/webmention"),
        14: (page(14, '<code>&lt;a rel="webmention" href="/decoy/14"&gt;&lt;/a&gt;</code>'
                      '<a rel="webmention" href="/test/14/webmention">yes</a>'),
             "/test/14/webmention"),
        15: (page(15, head='<link rel="webmention" href="">'), "/test/15"),
        16: (page(16, '<a rel="webmention" href="/test/16/webmention">first</a>'
                      '<link rel="webmention" href="/decoy/16">'),
             "/test/16/webmention"),
        17: (page(17, '<a rel="webmention" href="/decoy/17">later</a>',
                  '<link rel="webmention" href="/test/17/webmention">'),
             "/test/17/webmention"),
        18: (page(18, headers=[("Link", '<https://elsewhere.example/>; rel="other"'),
                               ("Link", "</test/18/webmention?head=true>; rel=webmention")]),
             "/test/18/webmention?head=true"),
        19: (page(19, headers=[("Link", '<https://elsewhere.example/a,b>; rel="other", '
                                        '</test/19/webmention?head=true>; rel="webmention"')]),
             "/test/19/webmention?head=true"),
        20: (page(20, '<a rel="webmention" href="/test/20/webmention">yes</a>',
                  '<link rel="webmention">'),
             "/test/20/webmention"),
        21: (page(21, head='<link rel="webmention" href="/test/21/webmention?query=yes">'),
             "/test/21/webmention?query=yes"),
        22: (page(22, head='<link rel="webmention" href="22/webmention">'), "/test/22/webmention"),
        23: ({"/test/23": Answer(status=302, headers=[("Location", "/test/23/page/final")]),
              "/test/23/page/final": Answer(
                  html(""), headers=[("Link", "<webmention-endpoint>; rel=webmention")])},
             "/test/23/page/webmention-endpoint"),
    }  # fmt: skip


@pytest.mark.parametrize("number", range(1, 24))
async def test_discovery_case(number, wm_resources, db, site):
    answers, expected = cases(site.base)[number]
    site.routes.update(answers)
    page = site.routes[f"/test/{number}"]

    def endpoint_or_page(hit):
        return Answer("Accepted", 202, content_type="text/plain") if hit.method == "POST" else page

    site.routes[expected.split("?")[0]] = endpoint_or_page
    for decoy in ("/decoy/a", "/decoy/link", "/decoy/12", "/decoy/13", "/decoy/14", "/decoy/16",
                  "/decoy/17"):  # fmt: skip
        site.serve(decoy, "decoy", status=202)
    target = site.url(f"/test/{number}")
    blog = await make_blog(db)
    entry_id = await make_entry(
        db, blog, "linking", content_html=f'<p><a href="{target}">t</a></p>'
    )
    [send_id] = await plan_sends(wm_resources, entry_id)
    delivery = await send_one(wm_resources, send_id)
    [post] = site.posts()
    assert post.path == expected
    assert post.form == {"source": [entry_url(blog, "linking")], "target": [target]}
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    row = await db.fetchrow("SELECT * FROM webmention_sends WHERE id = $1", send_id)
    assert delivery.status == "sent" and row["status"] == "sent"
    assert row["endpoint"] == site.base + expected and row["last_http_status"] == 202
    assert row["attempts"] == 1 and row["title"] == "Test"


def test_link_header_parsing_respects_commas_and_quotes():
    links = parse_link_header(
        '<https://a.example/x,y>; rel="other webmention"; title="a, b", '
        "</wm?q=1>;rel=webmention, broken, <https://c.example/>; REL=next"
    )
    assert [(lk.target, lk.rels) for lk in links] == [
        ("https://a.example/x,y", ["other", "webmention"]),
        ("/wm?q=1", ["webmention"]),
        ("https://c.example/", ["next"]),
    ]
    assert links[0].params["title"] == "a, b"


def test_legacy_rel_and_no_endpoint_for_non_html():
    headers = [("Link", '<https://wm.example/e>; rel="http://webmention.org/"')]
    assert discover("https://t.example/", headers, b"").endpoint == "https://wm.example/e"
    body = b'<a rel="webmention" href="/e">x</a>'
    plain = discover("https://t.example/", [("Content-Type", "text/plain")], body)
    assert plain.endpoint is None
    as_html = discover("https://t.example/p/", [("Content-Type", "text/html")], body)
    assert as_html.endpoint == "https://t.example/e"


def test_base_href_is_honoured():
    body = b'<base href="https://other.example/dir/"><link rel="webmention" href="wm">'
    found = discover("https://t.example/p", [("Content-Type", "text/html")], body)
    assert found.endpoint == "https://other.example/dir/wm"


HTML = [("Content-Type", "text/html")]


@pytest.mark.parametrize(
    ("body", "endpoint"),
    [
        # markup that is not an element: comments (HTML5 rules), raw text, template contents
        ('<!-- <link rel="webmention" href="/no"> --><a rel="webmention" href="/yes">', "/yes"),
        ('<!--><a rel="webmention" href="/yes">--><a rel="webmention" href="/no">', "/yes"),
        ('<!-- a -- b --!><a rel="webmention" href="/yes">', "/yes"),
        (
            '<script>s = "<link rel=webmention href=/no>"</script><a rel=webmention href=/yes>',
            "/yes",
        ),
        ("<script/><a rel=webmention href=/no></script><a rel=webmention href=/yes>", "/yes"),
        (
            "<style>a{}</style><textarea><a rel=webmention href=/no></textarea>"
            '<link rel="webmention" href="/yes">',
            "/yes",
        ),
        (
            '<template><link rel="webmention" href="/no"></template><a rel=webmention href=/yes>',
            "/yes",
        ),
        ('<svg><a rel="webmention" href="/no"></a></svg><a rel="webmention" href="/yes">', "/yes"),
        # tokens: case, rel lists, attributes without values, duplicates, whitespace
        ("<LINK REL=WEBMENTION HREF=/yes>", "/yes"),
        ('<link rel="Webmention somethingelse" href="/yes">', "/yes"),
        ('<a rel="nofollow\nwebmention" href=" /yes ">', "/yes"),
        ('<link rel="webmentions" href="/no"><a rel="webmention" href="/yes">', "/yes"),
        ("<a rel=webmention href>x</a>", "/p/page"),
        ("<a rel=webmention href=/yes href=/no>", "/yes"),
        ('<a rel="webmention" href="/yes?a=1&amp;b=2">', "/yes?a=1&b=2"),
        # a <base href> anywhere in the document, even after the link
        (
            '<a rel="webmention" href="wm"></a><base href="https://o.example/d/">',
            "https://o.example/d/wm",
        ),
        ('<head><base target="_blank"><base href="/b/"></head><a rel=webmention href=wm>', "/b/wm"),
        ("<p>no endpoint</p>", None),
    ],
)
def test_html_discovery_edge_cases(body, endpoint):
    found = discover("https://t.example/p/page", HTML, body.encode())
    expected = None if endpoint is None else f"https://t.example{endpoint}"
    if endpoint is not None and endpoint.startswith("https:"):
        expected = endpoint
    assert found.endpoint == expected


@pytest.mark.parametrize(
    ("body", "headers", "title"),
    [
        (b"<title>A &amp; <b>B</b></title>", HTML, "A & <b>B</b>"),
        (b"<title>\n  two\n  lines </title><a rel=webmention href=/x>", HTML, "two lines"),
        (
            b"<title>\xc3\xa9t\xc3\xa9</title>",
            [("Content-Type", "text/html; charset=utf-8")],
            "\u00e9t\u00e9",
        ),
        (b'<meta charset="utf-8"><title>\xc3\xa9t\xc3\xa9</title>', HTML, "\u00e9t\u00e9"),
        (b"<title>\xe9t\xe9</title>", HTML, "\u00e9t\u00e9"),  # windows-1252 by default
        (b"<!-- <title>no</title> --><p>none</p>", HTML, None),
        (  # a BOM outweighs the transport charset
            b"\xef\xbb\xbf<title>\xc3\xa9t\xc3\xa9</title>",
            [("Content-Type", "text/html; charset=windows-1252")],
            "\u00e9t\u00e9",
        ),
        (  # the transport charset outweighs <meta>; its labels are the web's (latin1 is 1252)
            b'<meta charset="utf-8"><title>\x93\xe9t\xe9\x94</title>',
            [("Content-Type", "text/html; charset=latin1")],
            "\u201c\u00e9t\u00e9\u201d",
        ),
        (  # a charset naming no encoding is ignored
            b'<meta charset="utf-8"><title>\xc3\xa9t\xc3\xa9</title>',
            [("Content-Type", "text/html; charset=no-such-thing")],
            "\u00e9t\u00e9",
        ),
    ],
)
def test_title_read_with_discovery(body, headers, title):
    assert discover("https://t.example/p", headers, body).title == title


def test_title_kept_when_the_link_header_names_the_endpoint():
    headers = [*HTML, ("Link", "</wm>; rel=webmention")]
    body = b'<a rel="webmention" href="/no"></a><title>Later</title>'
    found = discover("https://t.example/p", headers, body)
    assert found == Discovery("https://t.example/wm", "Later")
