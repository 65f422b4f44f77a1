"""Reading feeds, pure: bytes in, a parsed feed out. `parser` picks the format (`xmlfeed` for
RSS and Atom, `jsonfeed`, `hfeed` for microformats), `items` normalises what they find,
`discovery` finds feeds in HTML, `opml` reads and writes subscription lists and `classify`
tells a site's type from its posts. No network, no database.
"""
