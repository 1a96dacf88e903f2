/**
 * Items the rota capability owns. (Being filled in by the rota migration.)
 */
export {};
