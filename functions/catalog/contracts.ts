/**
 * Every route's contract, gathered from the capabilities' `contract.ts` (the OpenAPI generator's
 * input, with the function list). Calling it builds every response schema: generator and tests
 * only, never a Lambda entry.
 */
import type { Contract } from "../shared/contract.js";
import { contract as agents } from "../agents/contract.js";
import { contract as integrations } from "../integrations/contract.js";
import { contract as notices } from "../notices/contract.js";
import { contract as planning } from "../planning/contract.js";
import { contract as platform } from "../platform/contract.js";
import { contract as rota } from "../rota/contract.js";
import { contract as rotaSwaps } from "../rota/swaps/contract.js";
import { contract as routing } from "../routing/contract.js";
import { contract as settings } from "../settings/contract.js";
import { contract as stock } from "../stock/contract.js";
import { contract as supervision } from "../supervision/contract.js";

export function contracts(): Contract {
  return { ...platform(), ...agents(), ...rota(), ...rotaSwaps(), ...planning(), ...routing(), ...supervision(), ...notices(), ...stock(), ...integrations(), ...settings() };
}
