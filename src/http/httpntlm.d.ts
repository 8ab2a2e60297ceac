// The NTLM message functions of the httpntlm package (its ntlm.js, which its README documents for
// driving the handshake over your own keep-alive agent). It ships no types; these are the parts we use.
declare module 'httpntlm/ntlm.js' {
  export interface Type2Message {
    signature: Buffer;
    type: number;
    targetNameLen: number;
    targetNameMaxLen: number;
    targetNameOffset: number;
    targetName: Buffer;
    negotiateFlags: number;
    serverChallenge: Buffer;
    reserved: Buffer;
    targetInfoLen?: number;
    targetInfoMaxLen?: number;
    targetInfoOffset?: number;
    targetInfo?: Buffer;
  }

  export interface MessageOptions {
    domain?: string;
    workstation?: string;
    username?: string;
    password?: string;
  }

  export interface Ntlm {
    /** `NTLM <base64>` of a NEGOTIATE_MESSAGE. */
    createType1Message(options: MessageOptions): string;
    /** Parses `NTLM <base64>`; calls back with an error (and returns null) when it is no CHALLENGE_MESSAGE. */
    parseType2Message(header: string, callback: (error: Error) => void): Type2Message | null;
    /** `NTLM <base64>` of an AUTHENTICATE_MESSAGE: NTLMv2 when the challenge negotiates extended security and carries target info. */
    createType3Message(challenge: Type2Message, options: MessageOptions): string;
  }

  const ntlm: Ntlm;
  export default ntlm;
}
