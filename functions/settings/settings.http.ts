/**
 * `GET /settings`, `PUT /settings` (supervisor): every threshold and the shop's time zone, with
 * the value in force, its default and where it comes from; a change is versioned (ETag /
 * If-Match or `version`), audited, and in force in every function within the cache period.
 */
import * as z from "zod/mini";
import { actorOf, httpApi, jsonBody } from "../shared/http.js";
import { etagOf, parseUpdate } from "./domain.js";
import { settingsApi } from "./functions.js";
import { changeSettings, showSettings } from "./use-cases.js";

export const handler = httpApi(settingsApi, {
  "GET /settings": async () => {
    const view = await showSettings();
    return { status: 200, body: view, headers: { etag: etagOf(view.version) } };
  },

  "PUT /settings": async (request) => {
    const update = parseUpdate(jsonBody(request, z.unknown()), request.headers["if-match"]);
    const result = await changeSettings(update, { actor: actorOf(request), now: request.now });
    return { status: 200, body: result, headers: { etag: etagOf(result.version) } };
  },
});
