/**
 * Items the stock capability owns. (Being filled in by the stock migration.)
 */
export {};
