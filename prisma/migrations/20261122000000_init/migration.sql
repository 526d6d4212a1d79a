-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
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
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "Shop" (
    "domain" TEXT NOT NULL PRIMARY KEY,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "syncPausedReason" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "primaryDomain" TEXT,
    "scopes" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WhatsAppConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "wabaId" TEXT NOT NULL,
    "businessId" TEXT,
    "tokenCiphertext" TEXT,
    "scopes" JSONB,
    "grantedTargets" JSONB,
    "state" TEXT NOT NULL DEFAULT 'DISCONNECTED',
    "stateReason" TEXT,
    "health" JSONB,
    "healthCheckedAt" DATETIME,
    "lastError" TEXT,
    "webhookSeenAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PhoneNumber" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PhoneNumber_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "WhatsAppConnection" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CatalogConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "lastSuccessAt" DATETIME,
    "pausedUntil" DATETIME,
    "fullSyncState" TEXT NOT NULL DEFAULT 'IDLE',
    "fullSyncRunId" TEXT,
    "fullSyncCursor" TEXT,
    "fullSyncProcessed" INTEGER NOT NULL DEFAULT 0,
    "fullSyncTotal" INTEGER,
    "fullSyncStartedAt" DATETIME,
    "fullSyncEndedAt" DATETIME,
    "fullSyncError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ProductSync" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "snapshot" JSONB,
    "shopifyUpdatedAt" DATETIME NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "excluded" BOOLEAN NOT NULL DEFAULT false,
    "pushedRetailerIds" JSONB,
    "pushedItems" JSONB,
    "dirty" BOOLEAN NOT NULL DEFAULT true,
    "dirtySince" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "lastError" TEXT,
    "itemErrors" JSONB,
    "lastBatchId" TEXT,
    "lastSyncedAt" DATETIME,
    "seenInFullSync" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CatalogBatch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "catalogId" TEXT NOT NULL,
    "handle" TEXT,
    "itemCount" INTEGER NOT NULL,
    "items" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'SENT',
    "errors" JSONB,
    "pollCount" INTEGER NOT NULL DEFAULT 0,
    "nextPollAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "webhookId" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "MessageLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "template" TEXT,
    "wamid" TEXT,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "statusAt" DATETIME,
    "timeline" JSONB,
    "error" TEXT,
    "direction" TEXT NOT NULL DEFAULT 'OUT',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
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

