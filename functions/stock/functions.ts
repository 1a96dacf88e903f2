import type { FunctionSpec } from "../catalog/types.js";

export const stockFunctions: FunctionSpec[] = [];
