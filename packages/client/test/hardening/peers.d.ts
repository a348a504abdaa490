// ws ships no types (they live in @types/ws, not installed): typed loosely for the hardening tests.
declare module 'ws';
