-- Messaging limits are set per business portfolio since October 2025 (Meta's Messaging Limits page):
-- the limit moves from each number to the connection. The next health check fills it in.

-- AlterTable
ALTER TABLE "WhatsAppConnection" ADD COLUMN     "messagingLimit" TEXT,
ADD COLUMN     "messagingLimitAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "PhoneNumber" DROP COLUMN "messagingLimit";

