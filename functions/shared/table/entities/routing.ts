/**
 * Items the routing capability owns. (Being filled in by the routing migration.)
 */
export {};
