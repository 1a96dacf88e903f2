/**
 * The notices capability's DynamoDB adapter, one module per item family. Keys and schemas live
 * in the entity registry (functions/shared/table/entities/notices.ts); every read is parsed.
 */
export * from "./campaigns.js";
export * from "./inbox.js";
export * from "./notices.js";
