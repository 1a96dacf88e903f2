/**
 * Items the supervision capability owns. (Being filled in by the supervision migration.)
 */
export {};
