/**
 * Every tunable threshold of the backend: an environment variable with a default. The local
 * stack passes the process environment through; the CDK app sets them on every function from
 * the `functionSettings` context (`-c functionSettings='{"HANDOVER_GRACE_MINUTES":"10"}'`).
 */
export const functionSettings = {
  LARGE_ORDER_AMOUNT: { default: "5000", description: "Order amount (shop currency) at or above which a conversation is raised to high priority" },
  KNOWN_AGENT_WINDOW_HOURS: { default: "24", description: "A returning customer goes back to the agent who served them within this many hours" },
  REQUEUE_AFTER_SECONDS: { default: "60", description: "The sweeper re-drives conversations still queued this long after arrival" },
  HANDOVER_GRACE_MINUTES: { default: "5", description: "After a shift ends, open conversations are handed over after this grace period" },
  SHIFT_END_POLICY: { default: "handover", description: "handover | keep: what happens to open conversations at shift end" },
  AWAY_HANDOVER_MINUTES: { default: "10", description: "Away/offline agents' open conversations are handed over after this long" },
  AWAY_POLICY: { default: "handover", description: "handover | keep: what happens to an away/offline agent's open conversations" },
  FIRST_RESPONSE_TIMEOUT_SECONDS: { default: "180", description: "No first response within this time: the conversation is offered to another agent" },
  ESCALATE_AFTER_SECONDS: { default: "120", description: "A conversation waiting longer than this is escalated" },
  ESCALATION_MODE: { default: "widen-and-notify", description: "widen | notify | widen-and-notify: widen skills to any and/or notify supervisors" },
  NOTICE_REMINDER_MINUTES: { default: "5", description: "Unacknowledged urgent notices are pushed again at this interval" },
  STOCK_HOLD_MINUTES: { default: "15", description: "Reservations for unpaid orders release themselves after this long" },
} as const satisfies Record<string, { default: string; description: string }>;

export type FunctionSettingName = keyof typeof functionSettings;
