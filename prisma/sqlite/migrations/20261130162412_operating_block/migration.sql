-- CreateTable
CREATE TABLE "OperatingBlock" (
    "memberId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "until" REAL NOT NULL,

    PRIMARY KEY ("memberId", "method")
);
