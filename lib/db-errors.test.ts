import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./db-errors";
import { toErrorBody } from "./errors";

/** Shapes seen from Prisma 7 with the pg adapter when PostgreSQL refuses or drops connections. */
const driver = (originalCode: string) => ({
  name: "PrismaClientKnownRequestError",
  code: "P2010",
  meta: { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode, kind: "postgres", code: originalCode } } },
});

describe("database outages", () => {
  it.each([
    ["a database not accepting connections (55000)", driver("55000")],
    ["an administrator terminating the connection (57P01)", driver("57P01")],
    ["a connection failure (08006)", driver("08006")],
    ["Prisma cannot reach the server (P1001)", { name: "PrismaClientKnownRequestError", code: "P1001" }],
    ["the client could not start", { name: "PrismaClientInitializationError" }],
    ["a refused socket underneath", { name: "Error", cause: { code: "ECONNREFUSED" } }],
  ])("%s answers 503 with a generic body [#42]", (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const { status, body } = toErrorBody(err);
    expect(status).toBe(503);
    expect(body).toEqual({ error: "service_unavailable", message: "The app is briefly unavailable. Try again in a minute." });
  });

  it.each([
    ["a unique violation", { name: "PrismaClientKnownRequestError", code: "P2002" }],
    ["a syntax error", driver("42601")],
    ["a plain bug", new TypeError("x is undefined")],
    ["nothing", null],
  ])("%s is not an outage", (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
