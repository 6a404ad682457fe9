-- CreateTable
CREATE TABLE "RateBucket" (
    "memberId" TEXT NOT NULL PRIMARY KEY,
    "level" REAL NOT NULL DEFAULT 0,
    "at" REAL NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_TokenPair" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "memberId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "bitrixUserId" INTEGER NOT NULL,
    "accessToken" TEXT NOT NULL,
    "refreshToken" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'active',
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "lastRefreshAt" DATETIME,
    "refreshFailures" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TokenPair_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Portal" ("memberId") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_TokenPair" ("accessToken", "bitrixUserId", "createdAt", "expiresAt", "id", "kind", "lastError", "lastRefreshAt", "leaseOwner", "leaseUntil", "memberId", "refreshFailures", "refreshToken", "updatedAt", "version") SELECT "accessToken", "bitrixUserId", "createdAt", "expiresAt", "id", "kind", "lastError", "lastRefreshAt", "leaseOwner", "leaseUntil", "memberId", "refreshFailures", "refreshToken", "updatedAt", "version" FROM "TokenPair";
DROP TABLE "TokenPair";
ALTER TABLE "new_TokenPair" RENAME TO "TokenPair";
CREATE UNIQUE INDEX "TokenPair_memberId_kind_bitrixUserId_key" ON "TokenPair"("memberId", "kind", "bitrixUserId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
