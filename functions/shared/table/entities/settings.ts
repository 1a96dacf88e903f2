/**
 * Items the settings capability owns. (Filled in with live settings.)
 */
export {};
