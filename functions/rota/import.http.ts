/**
 * The rota CSV import (supervisors only), a function of its own (RotaImportApi) so that csv-parse
 * and the import rules load only here, not at every RotaApi cold start (issue 11, bundles).
 */
import { UnsupportedMediaTypeError } from "../shared/errors.js";
import { httpApi, validate } from "../shared/http.js";
import { importJobPath, importQuerySchema } from "./contract.js";
import { rotaImportApi } from "./functions.js";
import { by, queryOf } from "./http-query.js";
import { importRota } from "./use-cases/import.js";
import { getImport } from "./use-cases/import-apply.js";

export const handler = httpApi(rotaImportApi, {
  "POST /rota/import": async (request) => {
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (contentType !== "text/csv") throw new UnsupportedMediaTypeError(`POST /rota/import takes text/csv (columns agent,date,shift); got ${contentType || "no content type"}.`);
    const { allowOverlap } = queryOf(importQuerySchema, request);
    const outcome = await importRota(request.rawBody, by(request), { allowOverlap: allowOverlap === "true" });
    if (!outcome.accepted) return { status: 200, body: outcome.result };
    return { status: 202, body: outcome.job, headers: { location: `/rota/imports/${outcome.job.jobId}` } };
  },
  "GET /rota/imports/{jobId}": async (request) => {
    const { jobId } = validate(importJobPath, request.params, "path");
    return { status: 200, body: await getImport(jobId) };
  },
});
