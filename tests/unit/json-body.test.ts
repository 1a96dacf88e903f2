import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { UnsupportedMediaTypeError, ValidationError } from "../../functions/shared/errors.js";
import { jsonBody, type HttpRequest } from "../../functions/shared/http.js";

const schema = z.object({ name: z.string() });

function request(rawBody: string, contentType?: string): HttpRequest {
  return {
    routeKey: "PUT /things/{id}",
    params: {},
    query: {},
    headers: contentType === undefined ? {} : { "content-type": contentType },
    rawBody,
    caller: { kind: "anonymous" },
    now: new Date(),
    correlationId: "c",
  };
}

describe("jsonBody", () => {
  it("reads JSON declared as application/json (with parameters), a +json type, or undeclared", () => {
    expect(jsonBody(request('{"name":"a"}', "application/json"), schema)).toEqual({ name: "a" });
    expect(jsonBody(request('{"name":"a"}', "Application/JSON; charset=utf-8"), schema)).toEqual({ name: "a" });
    expect(jsonBody(request('{"name":"a"}', "application/merge-patch+json"), schema)).toEqual({ name: "a" });
    expect(jsonBody(request('{"name":"a"}'), schema)).toEqual({ name: "a" });
  });

  it("answers a body of another media type with 415, even when it parses as JSON", () => {
    for (const type of ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "text/csv"]) {
      let error: unknown;
      try {
        jsonBody(request('{"name":"a"}', type), schema);
      } catch (caught) {
        error = caught;
      }
      expect(error, type).toBeInstanceOf(UnsupportedMediaTypeError);
      expect((error as UnsupportedMediaTypeError).status).toBe(415);
      expect((error as Error).message).toContain(`got Content-Type "${type}"`);
    }
  });

  it("still validates an empty body against the schema (400, not 415)", () => {
    expect(() => jsonBody(request("", "text/plain"), schema)).toThrow(ValidationError);
  });
});
