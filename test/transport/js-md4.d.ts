// js-md4 ships no types; the one function the tests' NTLM verifier uses.
declare module 'js-md4' {
  const md4: {
    /** The MD4 digest of the bytes. */
    arrayBuffer(message: ArrayBuffer | Uint8Array): ArrayBuffer;
  };
  export default md4;
}
