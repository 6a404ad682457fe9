/*
  Warnings:

  - You are about to drop the column `applicationTokenHash` on the `Portal` table. All the data in the column will be lost.

*/
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Portal" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "memberId" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "clientEndpoint" TEXT NOT NULL,
    "serverEndpoint" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'active',
    "statusReason" TEXT,
    "appStatus" TEXT,
    "applicationToken" TEXT,
    "installedBy" INTEGER,
    "lastEventName" TEXT,
    "lastEventAt" DATETIME,
    "installedAt" DATETIME,
    "uninstalledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Portal" ("appStatus", "clientEndpoint", "createdAt", "domain", "id", "installedAt", "memberId", "scope", "serverEndpoint", "status", "statusReason", "uninstalledAt", "updatedAt") SELECT "appStatus", "clientEndpoint", "createdAt", "domain", "id", "installedAt", "memberId", "scope", "serverEndpoint", "status", "statusReason", "uninstalledAt", "updatedAt" FROM "Portal";
DROP TABLE "Portal";
ALTER TABLE "new_Portal" RENAME TO "Portal";
CREATE UNIQUE INDEX "Portal_memberId_key" ON "Portal"("memberId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
