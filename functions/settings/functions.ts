import type { FunctionSpec } from "../catalog/types.js";

export const settingsApi: FunctionSpec = {
  name: "SettingsApi",
  entry: "functions/settings/settings.http.ts",
  handler: "handler",
  description: "Live settings: every threshold and the shop's time zone, versioned and audited, in force everywhere within the cache period",
  triggers: [
    { kind: "http", method: "GET", path: "/settings", auth: { kind: "jwt", roles: ["supervisor"] } },
    { kind: "http", method: "PUT", path: "/settings", auth: { kind: "jwt", roles: ["supervisor"] } },
  ],
  access: { table: "write" },
};

export const settingsFunctions: FunctionSpec[] = [settingsApi];
