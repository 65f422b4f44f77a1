"""`GET /api/v1/skill.md`: the agent skill (SKILL.md) for this API, as Markdown. `{base}` is
replaced by the node's base URL when served."""

from __future__ import annotations

SKILL_MD = """\
---
name: hub-publishing
description: Publish multilingual articles with images to a hub node through its
  Publicasta-compatible v1 API (channels, articles, translations, scheduling, media).
---

# Publishing with the hub v1 API

Base URL: `{base}/api/v1`. Machine-readable contract: `{base}/api/v1/openapi.json`.
Send the key on every request as `Authorization: Bearer $KEY` (or `X-API-Key: $KEY`).
Reading (any GET) needs the key's `read` scope; a key with `create`, `update` or `channels`
reads too. Writes name their scope (403 "This API key lacks the '...' scope." without it).
Bodies are JSON (`Content-Type: application/json`) except media uploads (multipart).

## Rules that keep you safe

- **Never create a duplicate.** Always send a `slug` you chose for the article: `POST .../pages`
  with an existing slug *updates* that article (200) instead of creating a new one (201).
  For requests without a natural key (media uploads, channel creation, an article without a
  slug) send `Idempotency-Key: <uuid>` and reuse the same key when you retry after a timeout.
  A replay answers with the original response and `Idempotent-Replayed: true`.
- **Default is draft.** An article is public only when you ask: `status: "published"`.
- **Primary language first.** A translation can never be more public than the primary
  (`default_language`) translation. Publish them together.
- **Read the answer.** Every article response has `status`, `moderation`,
  `translation_status_summary` and `warnings`. Do not assume; check.
- **Try first when unsure:** add `?dry_run=true` to any write. It validates and runs the
  whole lifecycle, then rolls back (200, `X-Dry-Run: true`).

## Workflow

### 1. Find or create the channel

```http
GET /api/v1/channels
```
Reuse a channel whose `can_write` is true. Only if none fits:
```http
POST /api/v1/channels
Idempotency-Key: 5a0c...
{{"slug": "winter_car_care", "default_language": "en",
 "translations": [{{"language": "en", "title": "Winter Car Care"}}]}}
```

### 2. Upload images before the article

```http
POST /api/v1/channels/{{channel}}/media        (multipart/form-data)
image=@photo.jpg  alt="What the image shows"  purpose=article
```
The answer has `url`, `width`, `height` and ready-made `markdown` and `html`. Paste the
`markdown` into **every** translation's `content_markdown`. Draft image URLs are moved to the
article's own folder when you save the article. Limits: 10 MB (413), 24 megapixels (422);
JPEG, PNG, GIF or WebP. `purpose=channel_cover` / `channel_avatar` set the channel images.

### 3. Create or update the article with all its translations

```http
POST /api/v1/channels/{{channel}}/pages
{{"slug": "winter_tires", "default_language": "en", "status": "published",
 "translations": [
   {{"language": "en", "title": "Winter tires",
    "content_markdown": "![Tires](...)\\n\\nBody."}},
   {{"language": "de", "title": "Winterreifen", "content_markdown": "![Reifen](...)\\n\\nText."}}
 ]}}
```
- Do not repeat the title as a `# H1` in the body (it is removed, with a warning).
- `publish_translations` defaults to `true`: every translation you send is published with the
  primary. With `false`, secondaries are saved as draft.
- To schedule: `"status": "scheduled", "scheduled_at": "2026-05-20T10:00:00+00:00"` (always
  with an offset; Pro plans).
- 201 means created, 200 updated. Keep the `ETag` header; send it back as `If-Match` on your
  next write to avoid overwriting someone else's change (412 if it changed).

### 4. Add or fix one language later

```http
PUT /api/v1/channels/{{channel}}/pages/{{slug}}/translations/fr
{{"title": "Pneus hiver", "content_markdown": "Texte.", "status": "published"}}
```
Without `status`, a new language is saved as **draft** (warning `translation_saved_as_draft`).

### 5. Check `translation_status_summary`

- `all_translations_published: true` → done.
- `draft_translation_languages` not empty → those languages were left behind; publish them
  with step 6 and `publish_translations: true`.
- `moderation_review` not empty, or `moderation: "manual_review"` → a person must approve.
  The live version stays public meanwhile; the waiting content is in `pending_revision`.
  Poll `GET .../pages/{{slug}}` every few minutes; do not resend.
- `moderation_blocked` not empty / warning `moderation_blocked` → edit the content and submit
  again.
- `outdated_translation_languages` → the primary changed after these translations; update them.
- `scheduled_paused: true` with `scheduled_pause_reason: "account_plan"` → the plan lost
  scheduling; it will not publish by itself. Choose a new time or publish now.

### 6. Publish, schedule, unpublish

```http
PATCH /api/v1/channels/{{channel}}/pages/{{slug}}/status
{{"status": "published", "publish_translations": true}}
```
`publish_translations` is **required** for multilingual articles. `status: "draft"` takes the
article offline (all languages). A published article cannot be scheduled (set it to draft
first). `archived` removes it from public view.

### 7. Find existing articles

`GET /api/v1/channels/{{channel}}/pages?q=tires&limit=20`, then follow `next_cursor`.

## Errors and what to do next

Every error body is `{{"message": "...", "errors": {{"field.path": ["..."]}}}}`.

| status | meaning | next step |
| --- | --- | --- |
| 401 | key missing or invalid | stop; ask the owner for a valid key |
| 403 | not your channel, read-only channel, scope missing, or plan limit | stop; report `message` |
| 404 | channel or article does not exist | check the slug with `GET /channels` or the page list |
| 409 | the same `Idempotency-Key` is still running | wait a few seconds, retry with the same key |
| 412 | the article changed since you read it | `GET` it again, reapply your change, retry |
| 413 | body or image too large | shrink the image (≤ 10 MB) or the body |
| 422 | a field is wrong | fix each field named in `errors`; nothing was written |
| 429 | rate limit | wait `Retry-After` seconds |

A failed request writes nothing, so fixing and resending is always safe. Report the final
`status`, `url` and `edit_url` to the user.
"""


def render(base_url: str) -> str:
    return SKILL_MD.format(base=base_url.rstrip("/"))
