/** Structured JSON logging (Powertools), one logger per container. */
import { Logger } from "@aws-lambda-powertools/logger";

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "shift-queue-routing" });
