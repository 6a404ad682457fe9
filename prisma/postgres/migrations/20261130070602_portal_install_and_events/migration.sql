/*
  Warnings:

  - You are about to drop the column `applicationTokenHash` on the `Portal` table. All the data in the column will be lost.

*/
-- AlterTable
ALTER TABLE "Portal" DROP COLUMN "applicationTokenHash",
ADD COLUMN     "applicationToken" TEXT,
ADD COLUMN     "installedBy" INTEGER,
ADD COLUMN     "lastEventAt" TIMESTAMP(3),
ADD COLUMN     "lastEventName" TEXT;
