"""`GET /api-docs`: the v1 API reference for people, rendered from the OpenAPI document (so the
two cannot disagree) plus the agent skill. Plain HTML, no scripts, every text escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from hub.core.markdown import render_markdown

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:14px ui-monospace,monospace;background:#f4f4f4}pre{padding:.6rem;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
.method{font-weight:bold;text-transform:uppercase}.ext{color:#6a3;font-size:.85em}
.deprecated{color:#a33;font-size:.85em}section.op{border-top:1px solid #ddd;margin-top:1.5rem}
"""


def _resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = document["components"][kind][name]
    return node


def _badges(node: dict) -> str:
    out = ""
    if node.get("x-hub-extension"):
        out += ' <span class="ext">hub extension</span>'
    if node.get("deprecated"):
        out += ' <span class="deprecated">deprecated</span>'
    return out


def _schema_type(node: dict) -> str:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if "enum" in node:
        return " | ".join(str(v) for v in node["enum"])
    if "anyOf" in node:
        return " | ".join(_schema_type(n) for n in node["anyOf"])
    kind = node.get("type", "const" if "const" in node else "object")
    if kind == "array":
        return f"array of {_schema_type(node.get('items', {}))}"
    return " | ".join(kind) if isinstance(kind, list) else str(kind)


def _fields(schema: dict) -> str:
    properties = schema.get("properties")
    if not properties:
        return ""
    required = set(schema.get("required", ()))
    rows = "".join(
        f"<tr><td><code>{escape(name)}</code>{' *' if name in required else ''}"
        f"{_badges(node)}</td><td>{escape(_schema_type(node))}</td>"
        f"<td>{escape(node.get('description', ''))}</td></tr>"
        for name, node in properties.items()
    )
    return f"<table><tr><th>field</th><th>type</th><th>notes</th></tr>{rows}</table>"


def _operation(document: dict, path: str, method: str, op: dict) -> str:
    parts = [
        f'<section class="op" id="{escape(op["operationId"])}">'
        f'<h3><span class="method">{method}</span> <code>{escape(path)}</code>'
        f"{_badges(op)}</h3><p>{escape(op['summary'])}</p>",
        render_markdown(op.get("description", "")),
    ]
    params = [_resolve(document, p) for p in op.get("parameters", ())]
    if params:
        items = "".join(
            f"<li><code>{escape(p['name'])}</code> ({escape(p['in'])}){_badges(p)}"
            f"{': ' + escape(p['description']) if p.get('description') else ''}</li>"
            for p in params
        )
        parts.append(f"<p>Parameters:</p><ul>{items}</ul>")
    body = op.get("requestBody", {}).get("content", {})
    for media_type, content in body.items():
        schema = _resolve(document, content["schema"])
        parts.append(f"<p>Body (<code>{escape(media_type)}</code>):</p>{_fields(schema)}")
    responses = []
    for status, response in op["responses"].items():
        response = _resolve(document, response)
        responses.append(f"<li><strong>{escape(status)}</strong> {escape(response['description'])}")
    parts.append(f"<p>Responses:</p><ul>{''.join(responses)}</ul></section>")
    return "".join(parts)


def render(document: dict[str, Any], skill_markdown: str) -> str:
    """The HTML page: the API's description, one section per operation (legacy aliases only
    listed), the shared schemas, then the agent skill."""
    info = document["info"]
    toc, sections, legacy = [], [], []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            if op.get("deprecated"):
                legacy.append(f"<li><code>{method.upper()} {escape(path)}</code></li>")
                continue
            toc.append(
                f'<li><a href="#{escape(op["operationId"])}">{method.upper()} '
                f"<code>{escape(path)}</code></a> {escape(op['summary'])}{_badges(op)}</li>"
            )
            sections.append(_operation(document, path, method, op))
    schemas = "".join(
        f'<h3 id="schema-{escape(name)}">{escape(name)}{_badges(schema)}</h3>{_fields(schema)}'
        for name, schema in document["components"]["schemas"].items()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(info['title'])}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(info['title'])}</h1>{render_markdown(info['description'])}"
        '<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. '
        'Agent skill: <a href="/api/v1/skill.md">/api/v1/skill.md</a>.</p>'
        f"<h2>Endpoints</h2><ul>{''.join(toc)}</ul>{''.join(sections)}"
        "<h2>Legacy aliases</h2><p>The same operations under <code>/api/v1/projects</code>, "
        f"answered with <code>Deprecation: true</code>.</p><ul>{''.join(legacy)}</ul>"
        f"<h2>Schemas</h2>{schemas}"
        '<h2 id="skill">Agent workflow</h2>'
        f"{render_markdown(_without_front_matter(skill_markdown))}"
        "</body></html>"
    )


def _without_front_matter(markdown: str) -> str:
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end != -1:
            return markdown[end + 5 :]
    return markdown
