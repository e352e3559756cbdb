/**
 * `npm run seed`: write reference data into the configured database — the live gift catalog and the
 * fiction sample book (both idempotent). Never run at boot, so an operator's change in the
 * database survives restarts.
 */
import { config } from "./config";
import { connectDatabase, disconnectDatabase } from "./infra/database";
import { logger } from "./logger";
import { seedGiftCatalog } from "./live/gift.service";
import { seedSampleBook } from "./fiction/seed";

async function main(): Promise<void> {
  await connectDatabase(config());
  const gifts = await seedGiftCatalog();
  const book = await seedSampleBook();
  logger.info({ gifts, book }, "seeded the gift catalog and the sample book");
  console.log(`seeded ${gifts} gifts; sample book ${book.book_id} ${book.created ? "imported" : "already there"}`);
  await disconnectDatabase();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
