-- AlterTable
ALTER TABLE "Portal" ADD COLUMN     "bucketBurst" INTEGER,
ADD COLUMN     "bucketRate" DOUBLE PRECISION,
ADD COLUMN     "licenceCheckedAt" TIMESTAMP(3),
ADD COLUMN     "licenceDays" INTEGER,
ADD COLUMN     "licenceFamily" TEXT,
ADD COLUMN     "oauthServer" TEXT,
ADD COLUMN     "paymentExpired" BOOLEAN;

-- AlterTable
ALTER TABLE "RateBucket" ADD COLUMN     "factor" DOUBLE PRECISION NOT NULL DEFAULT 1,
ADD COLUMN     "slowAt" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "RestLog" (
    "id" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requestId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "bitrixUserId" INTEGER,
    "status" INTEGER NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "errorCode" TEXT,
    "request" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,

    CONSTRAINT "RestLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RestLog_memberId_at_idx" ON "RestLog"("memberId", "at");

-- CreateIndex
CREATE INDEX "RestLog_at_idx" ON "RestLog"("at");
