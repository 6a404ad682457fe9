import createNextIntlPlugin from "next-intl/plugin";

// Environment variables are validated at run time by lib/env.ts (first use on the server), not here:
// a build must not bake secrets or fail because the build machine lacks them.

const securityHeaders = [
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
];

/** @type {import("next").NextConfig} */
const nextConfig = {
  // BUILD_STANDALONE=1 (the Dockerfile, npm test's PostgreSQL build): also write .next/standalone, a server.js with
  // only the files it needs, which the image ships instead of node_modules. Off by default because `next start`
  // warns about it, though it keeps working.
  ...(process.env.BUILD_STANDALONE === "1" ? { output: "standalone" } : {}),
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden() answers admin-only pages with a real 403 (app/forbidden.tsx).
  experimental: { authInterrupts: true },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // OAuth callbacks and token-bearing API answers must never be cached by a proxy or the browser. A route that
      // sets its own Cache-Control (the REST proxy, lib/http/responses.ts) overrides this.
      { source: "/api/:path*", headers: [{ key: "Cache-Control", value: "private, no-store" }] },
    ];
  },
};

// next-intl reads each request's language and messages from lib/i18n/request.ts (no locale in the URL: the portal
// posts the language, and Bitrix24 app URLs are fixed in the app's registration).
export default createNextIntlPlugin("./lib/i18n/request.ts")(nextConfig);
