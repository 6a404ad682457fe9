-- CreateTable
CREATE TABLE "OperatingBlock" (
    "memberId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "until" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "OperatingBlock_pkey" PRIMARY KEY ("memberId","method")
);
