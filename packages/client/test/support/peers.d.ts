// permessage-deflate ships no types: typed loosely for the interop tests.
declare module 'permessage-deflate';
