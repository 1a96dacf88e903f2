/** Rota HTTP API (supervisors only): wires routes to the rota use cases (the CSV import is import.http.ts). */
import { ValidationError } from "../shared/errors.js";
import { httpApi, jsonBody, validate } from "../shared/http.js";
import { coverageInputSchema } from "./coverage.js";
import { exceptionPath, exceptionsQuerySchema, onDutyQuerySchema, rotaQuerySchema, shiftPath } from "./contract.js";
import { exceptionInputSchema, rotaInputSchema, shiftInputSchema } from "./domain.js";
import { rotaApi } from "./functions.js";
import { by, queryOf } from "./http-query.js";
import { parseDate } from "./time.js";
import { putRota } from "./use-cases/changes.js";
import { createException, deleteException, exceptionsIn } from "./use-cases/exceptions.js";
import { allShifts, deleteShift, saveShift, shiftById } from "./use-cases/shifts.js";
import { coverage, onDuty, resolvedRota } from "./use-cases/views.js";



export const handler = httpApi(rotaApi, {
  "PUT /shifts/{shiftId}": async (request) => {
    const { shiftId } = validate(shiftPath, request.params, "path");
    const { created, shift } = await saveShift(shiftId, jsonBody(request, shiftInputSchema), by(request));
    return { status: created ? 201 : 200, body: shift };
  },

  "GET /shifts": async () => ({ status: 200, body: { shifts: await allShifts() } }),

  "GET /shifts/{shiftId}": async (request) => {
    const { shiftId } = validate(shiftPath, request.params, "path");
    return { status: 200, body: await shiftById(shiftId) };
  },

  "DELETE /shifts/{shiftId}": async (request) => {
    const { shiftId } = validate(shiftPath, request.params, "path");
    await deleteShift(shiftId, by(request));
    return { status: 204 };
  },

  "PUT /rota": async (request) => ({ status: 200, body: await putRota(jsonBody(request, rotaInputSchema), by(request)) }),

  "GET /rota": async (request) => {
    const q = queryOf(rotaQuerySchema, request);
    if ((parseDate(q.from) === undefined) !== (parseDate(q.to) === undefined)) throw new ValidationError("The query is invalid.", { errors: [{ field: "to", message: "from and to must both be dates or both be instants" }] });
    return { status: 200, body: await resolvedRota(q) };
  },

  "POST /rota/exceptions": async (request) => {
    const exception = await createException(jsonBody(request, exceptionInputSchema), by(request));
    return { status: 201, body: exception, headers: { location: `/rota/exceptions/${exception.exceptionId}` } };
  },

  "GET /rota/exceptions": async (request) => ({ status: 200, body: { exceptions: await exceptionsIn(queryOf(exceptionsQuerySchema, request)) } }),

  "DELETE /rota/exceptions/{exceptionId}": async (request) => {
    const { exceptionId } = validate(exceptionPath, request.params, "path");
    await deleteException(exceptionId, by(request));
    return { status: 204 };
  },

  "GET /rota/on-duty": async (request) => ({ status: 200, body: await onDuty(queryOf(onDutyQuerySchema, request), request.now) }),

  "POST /rota/coverage": async (request) => ({ status: 200, body: await coverage(jsonBody(request, coverageInputSchema)) }),
});
