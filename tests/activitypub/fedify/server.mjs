// A real Fedify (@fedify/fedify 1.10) ActivityPub server for hub's tests, on 127.0.0.1.
//
// It serves ONE local actor (a Person, `alice` unless FEDIFY_ACTOR names another) with an RSA
// key (HTTP signatures, draft-cavage and RFC 9421) and an Ed25519 key (Object Integrity Proofs),
// an inbox, a shared inbox (/inbox), followers and the notes it wrote. Everything Fedify's inbox
// accepts (and so verified) is recorded; inbox requests it refuses are recorded with Fedify's own
// log lines, so a test can see why. A JSON control API under /_control/ lets a test drive it:
//
//   POST /_control/lookup    {"resource": "acct:x@host:port" | URL, "fresh": bool}
//   POST /_control/webfinger {"resource": ...}        the raw JRD (Fedify's lookupWebFinger)
//   GET  /_control/fetch?url=                          an object through Fedify's document loader
//   POST /_control/follow    {"actor": URL}            and /_control/unfollow
//   POST /_control/like      {"object": URL}           and /_control/announce
//   POST /_control/reply     {"inReplyTo": URL, "content": html, "mention": actor URL?}
//   POST /_control/update    {"object": note id, "content": html}
//   POST /_control/delete    {"object": note id}
//   POST /_control/undo      {"activity": id of a Like or Announce sent before}
//   GET  /_control/inbox                               {"activities": [...], "rejected": [...]}
//   GET  /_control/state                               following, followers, notes
//   POST /_control/reset                               forget what was received
//
// Sending answers {"id": activity id, ...} once the remote inbox answered 2xx (there is no
// queue: Fedify delivers inline) or 502 {"error"} with the remote status. Every send may add
// {"sharedInbox": true} to deliver to the recipient's shared inbox.
//
// Plain http on 127.0.0.1: Fedify's lookupWebFinger always asks https://{host}/.well-known/
// webfinger for an acct: resource. A test hub serves http, so for loopback hosts only, this
// process rewrites that one request to http (see `loopbackWebFinger`); every other fetch is
// Fedify's own. Usage: node server.mjs [port]   (port 0 or none: any free port; env PORT too).
// Prints `ready http://127.0.0.1:PORT` on stdout once it listens.

import "./node20.mjs"; // before Fedify: ArrayBuffer.prototype.transfer on Node 20
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import http from "node:http";
import {
  Accept,
  Announce,
  Create,
  Delete,
  Endpoints,
  Follow,
  Like,
  Mention,
  MemoryKvStore,
  Note,
  PUBLIC_COLLECTION,
  Person,
  Reject,
  Tombstone,
  Undo,
  Update,
  Activity,
  createFederation,
  generateCryptoKeyPair,
  getDocumentLoader,
  isActor,
  Object as APObject,
} from "@fedify/fedify";
import { configure } from "@logtape/logtape";
import { Temporal } from "@js-temporal/polyfill";

const HOST = "127.0.0.1";
const ACTOR = process.env.FEDIFY_ACTOR || "alice";
const requestedPort = Number(process.argv[2] ?? process.env.PORT ?? 0);

// ---------------------------------------------------------------------------------------------
// Per-request context: the raw request (headers, parsed body) and Fedify's log lines during it.

const requestScope = new AsyncLocalStorage();

function renderLogMessage(record) {
  return record.message
    .map((part, i) => {
      if (i % 2 === 0) return part;
      if (typeof part === "string") return part;
      if (part instanceof Error) return `${part.name}: ${part.message}`;
      try {
        return JSON.stringify(part);
      } catch {
        return String(part);
      }
    })
    .join("");
}

function captureSink(record) {
  const line = `${record.level} ${record.category.join(".")}: ${renderLogMessage(record)}`;
  requestScope.getStore()?.logs.push(line);
  if (record.level === "error" || record.level === "fatal" || process.env.FEDIFY_DEBUG) {
    process.stderr.write(`${line}\n`);
  }
}

await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { capture: captureSink },
  loggers: [
    { category: "fedify", lowestLevel: "debug", sinks: ["capture"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["capture"] },
  ],
});

// ---------------------------------------------------------------------------------------------
// Loopback WebFinger over http (see the header).

const originalFetch = globalThis.fetch;

function loopbackWebFinger(input, init) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol === "https:" && loopback && url.pathname === "/.well-known/webfinger") {
    url.protocol = "http:";
    return originalFetch(input instanceof Request ? new Request(url, input) : url, init);
  }
  return originalFetch(input, init);
}
globalThis.fetch = loopbackWebFinger;

// ---------------------------------------------------------------------------------------------
// State.

const keyPairs = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
const received = []; // activities Fedify verified and passed to a listener
const rejected = []; // inbox requests Fedify answered >= 400
const following = new Map(); // remote actor id -> {follow (Follow), accepted, inbox}
const followers = new Map(); // remote actor id -> {id, inboxId, endpoints}
const notes = new Map(); // note id (URL string) -> {note, deleted, recipient (Actor)}
const sent = new Map(); // activity id -> {activity, recipient}

let origin = null; // http://127.0.0.1:PORT, known once listening
let federation = null;

function uri(path) {
  return new URL(`${origin}/users/${ACTOR}/${path}/${randomUUID()}`);
}

function textOf(value) {
  return value == null ? null : value.toString();
}

function hrefOf(value) {
  if (value == null) return null;
  if (value instanceof URL) return value.href;
  if (value.href instanceof URL) return value.href.href; // a Link
  if (value.id instanceof URL) return value.id.href;
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// The federation.

function buildFederation() {
  const fed = createFederation({
    kv: new MemoryKvStore(),
    origin,
    allowPrivateAddress: true, // 127.0.0.1 everywhere; tests only
  });

  fed
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== ACTOR) return null;
      const keys = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: `${identifier[0].toUpperCase()}${identifier.slice(1)} (Fedify)`,
        summary: "A Fedify actor that hub's tests drive.",
        url: ctx.getActorUri(identifier),
        inbox: ctx.getInboxUri(identifier),
        followers: ctx.getFollowersUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: keys[0].cryptographicKey,
        assertionMethods: keys.map((pair) => pair.multikey),
        manuallyApprovesFollowers: false,
        discoverable: true,
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === ACTOR ? keyPairs : []));

  fed.setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
    if (identifier !== ACTOR) return null;
    return { items: [...followers.values()] };
  });

  fed.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}", (ctx, values) => {
    const entry = notes.get(`${ctx.getActorUri(values.identifier).href}/notes/${values.id}`);
    return entry == null || entry.deleted ? null : entry.note;
  });

  fed
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .withIdempotency("per-inbox")
    .on(Follow, async (ctx, follow) => {
      record(ctx, follow);
      if (follow.objectId?.href !== ctx.getActorUri(ACTOR).href) return;
      const follower = await follow.getActor(ctx);
      if (follower == null || !isActor(follower)) return;
      followers.set(follower.id.href, follower);
      await ctx.sendActivity(
        { identifier: ACTOR },
        follower,
        new Accept({ id: uri("accepts"), actor: ctx.getActorUri(ACTOR), object: follow }),
      );
    })
    .on(Accept, async (ctx, accept) => {
      const entry = record(ctx, accept);
      for (const state of following.values()) {
        if (state.follow.id.href === accept.objectId?.href) {
          state.accepted = true;
          entry.accepts_follow = state.follow.id.href;
        }
      }
    })
    .on(Reject, async (ctx, reject) => {
      record(ctx, reject);
      for (const [actorId, state] of following) {
        if (state.follow.id.href === reject.objectId?.href) following.delete(actorId);
      }
    })
    .on(Undo, async (ctx, undo) => {
      record(ctx, undo);
      const object = await undo.getObject(ctx);
      if (object instanceof Follow && undo.actorId != null) followers.delete(undo.actorId.href);
    })
    .on(Activity, async (ctx, activity) => {
      record(ctx, activity);
    })
    .onError((_ctx, error) => {
      process.stderr.write(`inbox listener error: ${error?.stack ?? error}\n`);
    });

  return fed;
}

function signatureScheme(headers) {
  if (headers["signature-input"] != null) return "rfc9421";
  if (headers.signature != null) return "draft-cavage";
  return null;
}

// What Fedify's inbox verified, from its own debug lines: it tries a Linked Data signature in
// the body first, then an Object Integrity Proof, then the HTTP signature headers.
function verifiedBy(logs) {
  if (logs.some((l) => l.includes("Linked Data Signatures are verified"))) return "ld-signature";
  if (logs.some((l) => l.includes("Object Integrity Proofs are verified"))) return "object-integrity-proof";
  if (logs.some((l) => l.includes("HTTP Signatures are verified"))) return "http-signature";
  return null;
}

function record(ctx, activity) {
  const scope = requestScope.getStore();
  const json = scope?.json ?? null;
  const object = json != null && typeof json === "object" ? (json.object ?? null) : null;
  const entry = {
    type: activity.constructor.name,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object_id: activity.objectId?.href ?? null,
    object,
    json,
    recipient: ctx.recipient ?? null, // null: the shared inbox
    path: scope?.path ?? null,
    verified: true, // Fedify calls listeners only for verified activities
    verified_by: scope == null ? null : verifiedBy(scope.logs),
    signature: scope == null ? null : signatureScheme(scope.headers),
    headers: scope == null ? {} : pick(scope.headers),
    received_at: new Date().toISOString(),
  };
  received.push(entry);
  return entry;
}

function pick(headers) {
  const names = ["signature", "signature-input", "digest", "content-digest", "date", "host"];
  return Object.fromEntries(names.filter((n) => headers[n] != null).map((n) => [n, headers[n]]));
}

// ---------------------------------------------------------------------------------------------
// Describing what a lookup found.

async function describe(ctx, object) {
  const base = {
    id: object.id?.href ?? null,
    type: object.constructor.name,
    json: await object.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader }),
  };
  if (isActor(object)) {
    const key = await object.getPublicKey(ctx).catch(() => null);
    const icon = await object.getIcon(ctx).catch(() => null);
    const image = await object.getImage(ctx).catch(() => null);
    const assertionMethods = [];
    for await (const m of object.getAssertionMethods(ctx)) assertionMethods.push(m.id?.href);
    return {
      ...base,
      actor: true,
      preferredUsername: textOf(object.preferredUsername),
      name: textOf(object.name),
      summary: textOf(object.summary),
      url: hrefOf(object.url),
      inbox: object.inboxId?.href ?? null,
      outbox: object.outboxId?.href ?? null,
      followers: object.followersId?.href ?? null,
      following: object.followingId?.href ?? null,
      featured: object.featuredId?.href ?? null,
      sharedInbox: object.endpoints?.sharedInbox?.href ?? null,
      publicKey:
        key == null
          ? null
          : { id: key.id?.href ?? null, owner: key.ownerId?.href ?? null, algorithm: key.publicKey?.algorithm?.name ?? null },
      assertionMethods,
      icon: icon == null ? null : { url: hrefOf(icon.url), mediaType: icon.mediaType ?? null },
      image: image == null ? null : { url: hrefOf(image.url), mediaType: image.mediaType ?? null },
      discoverable: object.discoverable ?? null,
      manuallyApprovesFollowers: object.manuallyApprovesFollowers ?? null,
    };
  }
  const tags = [];
  for await (const tag of object.getTags(ctx)) {
    tags.push({ type: tag.constructor.name, name: textOf(tag.name), href: hrefOf(tag.href) });
  }
  const attachments = [];
  for await (const a of object.getAttachments(ctx)) {
    attachments.push({
      type: a.constructor.name,
      url: hrefOf(a.url ?? a.href),
      name: textOf(a.name),
      mediaType: a.mediaType ?? null,
    });
  }
  const contentMap = {};
  for (const c of object.contents ?? []) if (c?.language != null) contentMap[c.language.compact()] = c.toString();
  return {
    ...base,
    actor: false,
    name: textOf(object.name),
    summary: textOf(object.summary),
    content: textOf(object.content),
    contentMap,
    url: hrefOf(object.url),
    attributedTo: object.attributionId?.href ?? null,
    inReplyTo: object.replyTargetId?.href ?? null,
    published: object.published?.toString() ?? null,
    updated: object.updated?.toString() ?? null,
    to: object.toIds.map((u) => u.href),
    cc: object.ccIds.map((u) => u.href),
    tags,
    attachments,
  };
}

// ---------------------------------------------------------------------------------------------
// The control API.

class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function need(body, name) {
  const value = body?.[name];
  if (typeof value !== "string" || value === "") throw new ControlError(400, `"${name}" is required`);
  return value;
}

async function lookupActor(ctx, url) {
  const actor = await ctx.lookupObject(url);
  if (actor == null || !isActor(actor)) throw new ControlError(404, `no actor found at ${url}`);
  return actor;
}

async function authorOf(ctx, objectUrl, explicitActor) {
  if (explicitActor) return await lookupActor(ctx, explicitActor);
  const object = await ctx.lookupObject(objectUrl);
  if (object == null) throw new ControlError(404, `no object found at ${objectUrl}`);
  const authorId = object.attributionId ?? (object instanceof Activity ? object.actorId : null);
  if (authorId == null) throw new ControlError(422, `${objectUrl} names no attributedTo`);
  return await lookupActor(ctx, authorId.href);
}

async function send(ctx, recipient, activity, body) {
  try {
    await ctx.sendActivity({ identifier: ACTOR }, recipient, activity, {
      preferSharedInbox: body?.sharedInbox === true,
      immediate: true,
    });
  } catch (error) {
    throw new ControlError(502, String(error?.message ?? error));
  }
  sent.set(activity.id.href, { activity, recipient });
  const inbox =
    body?.sharedInbox === true && recipient.endpoints?.sharedInbox != null
      ? recipient.endpoints.sharedInbox.href
      : recipient.inboxId?.href;
  return { id: activity.id.href, inbox, json: await activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader }) };
}

const control = {
  "POST /_control/lookup": async (ctx, body) => {
    const resource = need(body, "resource");
    const options = body.fresh ? { documentLoader: getDocumentLoader({ allowPrivateAddress: true }) } : {};
    const object = await ctx.lookupObject(resource, options);
    if (object == null) throw new ControlError(404, `Fedify found nothing for ${resource}`);
    return await describe(ctx, object);
  },

  "POST /_control/webfinger": async (ctx, body) => {
    const jrd = await ctx.lookupWebFinger(need(body, "resource"));
    if (jrd == null) throw new ControlError(404, "no WebFinger answer");
    return jrd;
  },

  "GET /_control/fetch": async (ctx, _body, params) => {
    const url = params.get("url");
    if (!url) throw new ControlError(400, '"url" is required');
    const loader = getDocumentLoader({ allowPrivateAddress: true }); // uncached, unlike lookups
    let remote;
    try {
      remote = await loader(url);
    } catch (error) {
      const status = Number(/HTTP (\d{3})/.exec(String(error?.message))?.[1] ?? 0) || null;
      throw Object.assign(new ControlError(502, String(error?.message ?? error)), { remoteStatus: status });
    }
    let object;
    try {
      object = await APObject.fromJsonLd(remote.document, {
        documentLoader: loader,
        contextLoader: ctx.contextLoader,
        baseUrl: new URL(remote.documentUrl),
      });
    } catch (error) {
      throw new ControlError(422, `Fedify could not parse ${url}: ${error?.message ?? error}`);
    }
    return { documentUrl: remote.documentUrl, document: remote.document, ...(await describe(ctx, object)) };
  },

  "POST /_control/follow": async (ctx, body) => {
    const actor = await lookupActor(ctx, need(body, "actor"));
    const follow = new Follow({ id: uri("follows"), actor: ctx.getActorUri(ACTOR), object: actor.id });
    following.set(actor.id.href, { follow, accepted: false, actor });
    try {
      return await send(ctx, actor, follow, body);
    } catch (error) {
      following.delete(actor.id.href);
      throw error;
    }
  },

  "POST /_control/unfollow": async (ctx, body) => {
    const actor = await lookupActor(ctx, need(body, "actor"));
    const state = following.get(actor.id.href);
    if (state == null) throw new ControlError(409, `not following ${actor.id.href}`);
    const undo = new Undo({ id: uri("undos"), actor: ctx.getActorUri(ACTOR), object: state.follow });
    const result = await send(ctx, actor, undo, body);
    following.delete(actor.id.href);
    return result;
  },

  "POST /_control/like": async (ctx, body) => {
    const object = new URL(need(body, "object"));
    const author = await authorOf(ctx, object.href, body.to);
    const like = new Like({ id: uri("likes"), actor: ctx.getActorUri(ACTOR), object, to: author.id });
    return await send(ctx, author, like, body);
  },

  "POST /_control/announce": async (ctx, body) => {
    const object = new URL(need(body, "object"));
    const author = await authorOf(ctx, object.href, body.to);
    const announce = new Announce({
      id: uri("announces"),
      actor: ctx.getActorUri(ACTOR),
      object,
      published: Temporal.Now.instant(),
      to: PUBLIC_COLLECTION,
      ccs: [author.id, ctx.getFollowersUri(ACTOR)],
    });
    return await send(ctx, author, announce, body);
  },

  "POST /_control/reply": async (ctx, body) => {
    const inReplyTo = new URL(need(body, "inReplyTo"));
    const author = await authorOf(ctx, inReplyTo.href, body.to);
    const noteId = uri("notes");
    const tags = [new Mention({ href: author.id, name: `@${textOf(author.preferredUsername)}@${author.id.host}` })];
    const note = new Note({
      id: noteId,
      attribution: ctx.getActorUri(ACTOR),
      content: need(body, "content"),
      replyTarget: inReplyTo,
      published: Temporal.Now.instant(),
      to: PUBLIC_COLLECTION,
      ccs: [author.id, ctx.getFollowersUri(ACTOR)],
      tags,
      url: noteId,
    });
    notes.set(noteId.href, { note, deleted: false, recipient: author });
    const create = new Create({
      id: new URL(`${noteId.href}/activity`),
      actor: ctx.getActorUri(ACTOR),
      object: note,
      published: note.published,
      to: PUBLIC_COLLECTION,
      ccs: [author.id, ctx.getFollowersUri(ACTOR)],
    });
    try {
      return { ...(await send(ctx, author, create, body)), object: noteId.href };
    } catch (error) {
      notes.delete(noteId.href);
      throw error;
    }
  },

  "POST /_control/update": async (ctx, body) => {
    const entry = notes.get(need(body, "object"));
    if (entry == null || entry.deleted) throw new ControlError(404, "no such note of ours");
    entry.note = entry.note.clone({ content: need(body, "content"), updated: Temporal.Now.instant() });
    const update = new Update({
      id: uri("updates"),
      actor: ctx.getActorUri(ACTOR),
      object: entry.note,
      to: PUBLIC_COLLECTION,
      ccs: [entry.recipient.id, ctx.getFollowersUri(ACTOR)],
    });
    return { ...(await send(ctx, entry.recipient, update, body)), object: entry.note.id.href };
  },

  "POST /_control/delete": async (ctx, body) => {
    const entry = notes.get(need(body, "object"));
    if (entry == null || entry.deleted) throw new ControlError(404, "no such note of ours");
    entry.deleted = true;
    const del = new Delete({
      id: uri("deletes"),
      actor: ctx.getActorUri(ACTOR),
      object: new Tombstone({ id: entry.note.id }),
      to: PUBLIC_COLLECTION,
      ccs: [entry.recipient.id],
    });
    return { ...(await send(ctx, entry.recipient, del, body)), object: entry.note.id.href };
  },

  "POST /_control/undo": async (ctx, body) => {
    const entry = sent.get(need(body, "activity"));
    if (entry == null || !(entry.activity instanceof Like || entry.activity instanceof Announce)) {
      throw new ControlError(404, "no Like or Announce of ours with that id");
    }
    const undo = new Undo({ id: uri("undos"), actor: ctx.getActorUri(ACTOR), object: entry.activity });
    return await send(ctx, entry.recipient, undo, body);
  },

  "GET /_control/inbox": async () => ({ activities: received, rejected }),

  "GET /_control/state": async (ctx) => ({
    actor: ctx.getActorUri(ACTOR).href,
    following: [...following.entries()].map(([id, s]) => ({ actor: id, follow: s.follow.id.href, accepted: s.accepted })),
    followers: [...followers.keys()],
    notes: [...notes.entries()].map(([id, n]) => ({ id, deleted: n.deleted })),
  }),

  "POST /_control/reset": async () => {
    received.length = 0;
    rejected.length = 0;
    return { ok: true };
  },
};

// ---------------------------------------------------------------------------------------------
// HTTP: Node's http server in front of federation.fetch (Fetch API Request/Response).

function json(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function isInboxPath(path) {
  return path === "/inbox" || /^\/users\/[^/]+\/inbox$/.test(path);
}

async function handle(req, res) {
  const url = new URL(req.url, `http://${req.headers.host ?? `${HOST}`}`);
  const body = await readBody(req);

  if (url.pathname.startsWith("/_control/")) {
    const route = control[`${req.method} ${url.pathname}`];
    if (route == null) return json(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
    let parsed = null;
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        return json(res, 400, { error: "the body is not JSON" });
      }
    }
    const ctx = federation.createContext(new URL(origin), undefined);
    try {
      return json(res, 200, await route(ctx, parsed, url.searchParams));
    } catch (error) {
      if (error instanceof ControlError) {
        return json(res, error.status, { error: error.message, remote_status: error.remoteStatus ?? null });
      }
      process.stderr.write(`control ${url.pathname}: ${error?.stack ?? error}\n`);
      return json(res, 500, { error: String(error?.message ?? error) });
    }
  }

  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const request = new Request(url, {
    method: req.method,
    headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
  });
  let parsedJson = null;
  try {
    parsedJson = body.length > 0 ? JSON.parse(body.toString("utf8")) : null;
  } catch {
    parsedJson = null;
  }
  const scope = { logs: [], headers: req.headers, json: parsedJson, path: url.pathname };
  let response;
  try {
    response = await requestScope.run(scope, () =>
      federation.fetch(request, { contextData: undefined }),
    );
  } catch (error) {
    // Fedify throws on some bodies (e.g. an @context URL it cannot load); a server answers 500
    scope.logs.push(`thrown: ${error?.name}: ${error?.message ?? error}`);
    response = new Response(String(error?.message ?? error), { status: 500 });
  }
  const responseBody = Buffer.from(await response.arrayBuffer());
  if (req.method === "POST" && isInboxPath(url.pathname) && response.status >= 400) {
    rejected.push({
      status: response.status,
      path: url.pathname,
      response: responseBody.toString("utf8"),
      type: parsedJson?.type ?? null,
      id: parsedJson?.id ?? null,
      actor: typeof parsedJson?.actor === "string" ? parsedJson.actor : (parsedJson?.actor?.id ?? null),
      signature: signatureScheme(req.headers),
      headers: pick(req.headers),
      json: parsedJson,
      log: scope.logs,
      received_at: new Date().toISOString(),
    });
  }
  const outHeaders = {};
  response.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  res.writeHead(response.status, outHeaders);
  res.end(req.method === "HEAD" ? undefined : responseBody);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    process.stderr.write(`request ${req.method} ${req.url}: ${error?.stack ?? error}\n`);
    if (!res.headersSent) json(res, 500, { error: String(error?.message ?? error) });
    else res.end();
  });
});

server.listen(requestedPort, HOST, () => {
  origin = `http://${HOST}:${server.address().port}`;
  federation = buildFederation();
  process.stdout.write(`ready ${origin} ${origin}/users/${ACTOR}\n`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
