/**
 * `npm run seed`: write reference data (the gift catalog) into the configured database. Never run at
 * boot, so an operator's change in the database survives restarts.
 */
import { config } from "./config";
import { connectDatabase, disconnectDatabase } from "./infra/database";
import { seedGiftCatalog } from "./live/gift.service";

async function main(): Promise<void> {
  await connectDatabase(config());
  const gifts = await seedGiftCatalog();
  console.log(`seeded ${gifts} gifts`);
  await disconnectDatabase();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
