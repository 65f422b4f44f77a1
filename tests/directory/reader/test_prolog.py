"""The prolog check behind every untrusted XML hub reads (`hub.directory.reader.prolog`):
entity declarations are seen in every encoding a parser would read, however they are hidden."""

from __future__ import annotations

import codecs

import pytest

from hub.directory.reader.prolog import Prolog, read_prolog

LAUGHS = (
    '<?xml version="1.0" encoding="{enc}"?>\n'
    '<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
    '<rss version="2.0"><channel><title>&lol2;</title></channel></rss>'
)
PLAIN = '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel/></rss>'
NETSCAPE = (
    '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    '"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>'
)

# (codec the bytes are written in, the name the declaration gives, byte order mark)
ENCODINGS = [
    ("utf-8", "utf-8", b""),
    ("utf-8", "utf-8", codecs.BOM_UTF8),
    ("utf-16-le", "utf-16", codecs.BOM_UTF16_LE),
    ("utf-16-be", "utf-16", codecs.BOM_UTF16_BE),
    ("utf-16-le", "utf-16", b""),
    ("utf-16-be", "utf-16", b""),
    ("utf-32-le", "utf-32", codecs.BOM_UTF32_LE),
    ("utf-32-be", "utf-32", codecs.BOM_UTF32_BE),
    ("utf-32-le", "utf-32", b""),
    ("latin-1", "iso-8859-1", b""),
    ("cp1252", "windows-1252", b""),
]


@pytest.mark.parametrize(("codec", "name", "bom"), ENCODINGS)
def test_entity_declarations_are_seen_in_every_encoding(codec, name, bom):
    data = bom + LAUGHS.format(enc=name).encode(codec)
    assert read_prolog(data).declarations


@pytest.mark.parametrize(("codec", "name", "bom"), ENCODINGS)
def test_a_plain_document_declares_nothing(codec, name, bom):
    data = bom + PLAIN.format(enc=name).encode(codec)
    assert read_prolog(data) == Prolog(doctype=False, declarations=False)


def test_a_declaration_behind_a_long_comment_is_seen():
    padding = "<!--" + "x" * 200_000 + "-->"
    data = LAUGHS.format(enc="utf-8").replace("?>\n", "?>" + padding, 1).encode()
    assert read_prolog(data).declarations


def test_an_external_doctype_alone_is_a_doctype_without_declarations():
    assert read_prolog(NETSCAPE.encode()) == Prolog(doctype=True, declarations=False)


def test_entity_text_inside_the_document_is_not_a_declaration():
    data = b'<?xml version="1.0"?><rss><![CDATA[ write <!ENTITY x "y"> ]]></rss>'
    assert read_prolog(data) == Prolog(doctype=False, declarations=False)
