/**
 * Notice use cases: publish (ad hoc or campaign change), fan out, deliver to late joiners,
 * acknowledge, inbox, receipts, the supervisor's lists and urgent reminders. Entry files only delegate here; the rules
 * live in `domain.ts`, the table access in `store/`.
 */
export * from "./deliver.js";
export * from "./inbox.js";
export * from "./lists.js";
export * from "./publish.js";
export * from "./reminders.js";
