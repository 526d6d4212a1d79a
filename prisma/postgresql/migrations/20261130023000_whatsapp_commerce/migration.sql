-- WhatsApp commerce (issue 18): product messages in MessageLog, the catalog link and commerce
-- settings as Meta last reported them, and each number's customer service window.

-- AlterTable
ALTER TABLE "MessageLog" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'TEST',
ADD COLUMN "products" JSONB;

-- CreateTable
CREATE TABLE "WhatsAppCommerce" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "wabaId" TEXT NOT NULL,
    "linkedCatalogId" TEXT,
    "linkedCatalogName" TEXT,
    "phoneNumberId" TEXT,
    "cartEnabled" BOOLEAN,
    "catalogVisible" BOOLEAN,
    "checkedAt" TIMESTAMP(3),
    "linkError" TEXT,
    "settingsError" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsAppCommerce_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerWindow" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "senderCiphertext" TEXT NOT NULL,
    "senderHint" TEXT NOT NULL,
    "lastInboundAt" TIMESTAMP(3) NOT NULL,
    "closesAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerWindow_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WhatsAppCommerce_shop_key" ON "WhatsAppCommerce"("shop");

-- CreateIndex
CREATE INDEX "CustomerWindow_closesAt_idx" ON "CustomerWindow"("closesAt");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerWindow_shop_phoneNumberId_key" ON "CustomerWindow"("shop", "phoneNumberId");
