-- Portals no longer take "needs_reauth": a dead token pair is that pair's state alone (lib/bitrix24/lifecycle.ts),
-- so one dead pair, the installer's included, never blocks the other users of a portal.
UPDATE "Portal" SET "status" = 'active', "statusReason" = NULL WHERE "status" = 'needs_reauth';
