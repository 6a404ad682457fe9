-- AlterTable
ALTER TABLE "Portal" ADD COLUMN "language" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN "language" TEXT;
