import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { APP, form, http, start } from "./helpers";

/** Two OAuth servers (regions), each with its own app registration and its own portals. */
const EAST = { clientId: "local.east.0000000000000002", clientSecret: "east-secret-0123456789abcdef" };
let emu: Emulator;
let east: string;

beforeAll(async () => {
  emu = await start({ secondOAuth: EAST, portals: [{}, { oauthServer: 2 }] });
  east = emu.secondOAuthUrl!;
});
afterAll(() => emu.stop());

const code = async (portalUrl: string, clientId: string) => {
  const res = await http(`${portalUrl}/oauth/authorize/`, form({ client_id: clientId, state: "s", user: "1" }));
  return { status: res.status, query: res.status === 302 ? new URL(res.headers.get("location")!).searchParams : null };
};
const grant = (server: string, creds: { clientId: string; clientSecret: string }, body: Record<string, string>) =>
  http(`${server}/oauth/token/`, form({ client_id: creds.clientId, client_secret: creds.clientSecret, ...body }));

describe("a second OAuth server", () => {
  it("authorizes a portal only for its own region's client_id, and names its server in the callback", async () => {
    const second = emu.portals[1]!;
    expect((await code(second.url, APP.clientId)).status).toBe(404);
    const { query } = await code(second.url, EAST.clientId);
    expect(query?.get("server_domain")).toBe(new URL(east).host);
  });

  it("exchanges and refreshes a portal's grants only at its own server with its own credentials; the other server never spends them", async () => {
    const second = emu.portals[1]!;
    const c = (await code(second.url, EAST.clientId)).query!.get("code")!;
    expect((await grant(emu.oauthUrl, APP, { grant_type: "authorization_code", code: c })).body).toMatchObject({ error: "invalid_grant" });
    expect((await grant(east, APP, { grant_type: "authorization_code", code: c })).body).toMatchObject({ error: "wrong_client" });
    const issued = await grant(east, EAST, { grant_type: "authorization_code", code: c });
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ member_id: second.memberId, server_endpoint: `${east}/rest/`, domain: new URL(east).host, client_endpoint: `${second.url}/rest/` });

    const refreshToken = issued.body.refresh_token as string;
    expect((await grant(emu.oauthUrl, APP, { grant_type: "refresh_token", refresh_token: refreshToken })).body).toMatchObject({ error: "invalid_grant" });
    const renewed = await grant(east, EAST, { grant_type: "refresh_token", refresh_token: refreshToken });
    expect(renewed.status).toBe(200);

    const access = renewed.body.access_token as string;
    expect((await http(`${emu.oauthUrl}/rest/app.info`, form({ auth: access }))).body).toMatchObject({ error: "invalid_token" });
    expect((await http(`${east}/rest/app.info`, form({ auth: access }))).body.result).toMatchObject({ client_id: EAST.clientId, install: { member_id: second.memberId } });
  });

  it("keeps the first region's portal on the first server", async () => {
    const first = emu.portals[0]!;
    const c = (await code(first.url, APP.clientId)).query!.get("code")!;
    expect((await grant(east, EAST, { grant_type: "authorization_code", code: c })).body).toMatchObject({ error: "invalid_grant" });
    expect((await grant(emu.oauthUrl, APP, { grant_type: "authorization_code", code: c })).body).toMatchObject({ server_endpoint: `${emu.oauthUrl}/rest/` });
  });
});
