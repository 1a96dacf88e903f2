/**
 * Items the notices capability owns. (Being filled in by the notices migration.)
 */
export {};
