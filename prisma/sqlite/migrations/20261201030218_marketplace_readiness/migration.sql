-- AlterTable
ALTER TABLE "Portal" ADD COLUMN "bucketBurst" INTEGER;
ALTER TABLE "Portal" ADD COLUMN "bucketRate" REAL;
ALTER TABLE "Portal" ADD COLUMN "licenceCheckedAt" DATETIME;
ALTER TABLE "Portal" ADD COLUMN "licenceDays" INTEGER;
ALTER TABLE "Portal" ADD COLUMN "licenceFamily" TEXT;
ALTER TABLE "Portal" ADD COLUMN "oauthServer" TEXT;
ALTER TABLE "Portal" ADD COLUMN "paymentExpired" BOOLEAN;

-- CreateTable
CREATE TABLE "RestLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "memberId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requestId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "bitrixUserId" INTEGER,
    "status" INTEGER NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "errorCode" TEXT,
    "request" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RateBucket" (
    "memberId" TEXT NOT NULL PRIMARY KEY,
    "level" REAL NOT NULL DEFAULT 0,
    "at" REAL NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0,
    "factor" REAL NOT NULL DEFAULT 1,
    "slowAt" REAL NOT NULL DEFAULT 0
);
INSERT INTO "new_RateBucket" ("at", "level", "memberId", "version") SELECT "at", "level", "memberId", "version" FROM "RateBucket";
DROP TABLE "RateBucket";
ALTER TABLE "new_RateBucket" RENAME TO "RateBucket";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "RestLog_memberId_at_idx" ON "RestLog"("memberId", "at");

-- CreateIndex
CREATE INDEX "RestLog_at_idx" ON "RestLog"("at");
