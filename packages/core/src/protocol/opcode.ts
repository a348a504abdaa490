/**
 * Frame opcodes defined by RFC 6455. Every other value (3–7 and 11–15) is reserved, and a frame
 * carrying one fails the connection.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * Whether `opcode` names a control frame (close, ping, pong or a reserved control opcode): those
 * have the most significant opcode bit set.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5
 */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}
