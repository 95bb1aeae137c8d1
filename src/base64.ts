/** Bytes of a base64 string (the embedded WebAssembly modules); `atob` exists in Node ≥ 16 and browsers. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
