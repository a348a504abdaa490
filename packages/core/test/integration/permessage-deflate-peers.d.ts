// ws ships no types (they live in @types/ws, not installed): typed loosely for the interop tests.
declare module 'ws';
