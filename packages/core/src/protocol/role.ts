/**
 * Which end of the connection an engine plays. The client masks every frame it sends and fails on
 * a masked frame; the server fails on an unmasked frame and sends unmasked.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.1
 */
export const Role = {
  Client: 'client',
  Server: 'server',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
