-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "domain" TEXT NOT NULL,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "syncPausedReason" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "primaryDomain" TEXT,
    "scopes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("domain")
);

-- CreateTable
CREATE TABLE "WhatsAppConnection" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "wabaId" TEXT NOT NULL,
    "businessId" TEXT,
    "tokenCiphertext" TEXT,
    "scopes" JSONB,
    "grantedTargets" JSONB,
    "state" TEXT NOT NULL DEFAULT 'DISCONNECTED',
    "stateReason" TEXT,
    "health" JSONB,
    "healthCheckedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "webhookSeenAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsAppConnection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PhoneNumber" (
    "id" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "displayPhoneNumber" TEXT NOT NULL,
    "verifiedName" TEXT,
    "qualityRating" TEXT,
    "status" TEXT,
    "nameStatus" TEXT,
    "messagingLimit" TEXT,
    "registered" BOOLEAN NOT NULL DEFAULT false,
    "pinCiphertext" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PhoneNumber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CatalogConnection" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "businessId" TEXT,
    "catalogId" TEXT,
    "catalogName" TEXT,
    "tokenCiphertext" TEXT,
    "scopes" JSONB,
    "grantedTargets" JSONB,
    "state" TEXT NOT NULL DEFAULT 'DISCONNECTED',
    "stateReason" TEXT,
    "lastError" TEXT,
    "lastSuccessAt" TIMESTAMP(3),
    "pausedUntil" TIMESTAMP(3),
    "fullSyncState" TEXT NOT NULL DEFAULT 'IDLE',
    "fullSyncRunId" TEXT,
    "fullSyncCursor" TEXT,
    "fullSyncProcessed" INTEGER NOT NULL DEFAULT 0,
    "fullSyncTotal" INTEGER,
    "fullSyncStartedAt" TIMESTAMP(3),
    "fullSyncEndedAt" TIMESTAMP(3),
    "fullSyncError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CatalogConnection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductSync" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "snapshot" JSONB,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "excluded" BOOLEAN NOT NULL DEFAULT false,
    "pushedRetailerIds" JSONB,
    "pushedItems" JSONB,
    "dirty" BOOLEAN NOT NULL DEFAULT true,
    "dirtySince" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "lastError" TEXT,
    "itemErrors" JSONB,
    "lastBatchId" TEXT,
    "lastSyncedAt" TIMESTAMP(3),
    "seenInFullSync" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProductSync_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CatalogBatch" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "catalogId" TEXT NOT NULL,
    "handle" TEXT,
    "itemCount" INTEGER NOT NULL,
    "items" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'SENT',
    "errors" JSONB,
    "pollCount" INTEGER NOT NULL DEFAULT 0,
    "nextPollAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "CatalogBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "webhookId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("webhookId")
);

-- CreateTable
CREATE TABLE "MessageLog" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "template" TEXT,
    "wamid" TEXT,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "statusAt" TIMESTAMP(3),
    "timeline" JSONB,
    "error" TEXT,
    "direction" TEXT NOT NULL DEFAULT 'OUT',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "WhatsAppConnection_shop_key" ON "WhatsAppConnection"("shop");

-- CreateIndex
CREATE INDEX "PhoneNumber_phoneNumberId_idx" ON "PhoneNumber"("phoneNumberId");

-- CreateIndex
CREATE UNIQUE INDEX "PhoneNumber_shop_phoneNumberId_key" ON "PhoneNumber"("shop", "phoneNumberId");

-- CreateIndex
CREATE UNIQUE INDEX "CatalogConnection_shop_key" ON "CatalogConnection"("shop");

-- CreateIndex
CREATE INDEX "ProductSync_dirty_shop_dirtySince_idx" ON "ProductSync"("dirty", "shop", "dirtySince");

-- CreateIndex
CREATE INDEX "ProductSync_shop_status_idx" ON "ProductSync"("shop", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ProductSync_shop_productId_key" ON "ProductSync"("shop", "productId");

-- CreateIndex
CREATE INDEX "CatalogBatch_shop_status_idx" ON "CatalogBatch"("shop", "status");

-- CreateIndex
CREATE INDEX "CatalogBatch_status_nextPollAt_idx" ON "CatalogBatch"("status", "nextPollAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "MessageLog_wamid_key" ON "MessageLog"("wamid");

-- CreateIndex
CREATE INDEX "MessageLog_shop_createdAt_idx" ON "MessageLog"("shop", "createdAt");

-- AddForeignKey
ALTER TABLE "PhoneNumber" ADD CONSTRAINT "PhoneNumber_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "WhatsAppConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

