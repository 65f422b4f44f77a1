// Node.js 20 lacks ArrayBuffer.prototype.transfer (Node 21+), which byte-encodings (Fedify's
// base64/hex codec) calls; Fedify 1.10 declares node >= 22. This adds the one missing method
// with the same result (a copy of the requested length; the original is not detached, which
// no caller relies on). Imported by server.mjs before Fedify; a no-op on Node 22+.
if (typeof ArrayBuffer.prototype.transfer !== "function") {
  Object.defineProperty(ArrayBuffer.prototype, "transfer", {
    value(newLength = this.byteLength) {
      const copy = new ArrayBuffer(newLength);
      new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(newLength, this.byteLength)));
      return copy;
    },
    writable: true,
    configurable: true,
  });
}
