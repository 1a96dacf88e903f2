/**
 * Items the supervision capability owns: none. Its rules (handover, re-offer, escalation, load
 * repair) act on conversations and agents through routing's and agents' entities and the routing
 * store's access patterns; nothing it decides is stored apart from them.
 */
export {};
