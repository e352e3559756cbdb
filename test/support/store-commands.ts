import mongoose from "mongoose";

/**
 * The store commands the app's connection sends while `fn` runs, as `"<command> <target>"`, and —
 * unless `settle` is false — until the store has been quiet for a moment (follow-ups included).
 */
export async function commandsDuring(fn: () => Promise<unknown>, settle = true): Promise<string[]> {
  const client = mongoose.connection.getClient();
  const seen: string[] = [];
  const onCommand = (e: { commandName: string; command: Record<string, unknown> }) => seen.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  const quiet = async () => {
    for (let last = -1; last !== seen.length; ) {
      last = seen.length;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  client.on("commandStarted", onCommand);
  try {
    await fn();
    if (settle) await quiet();
  } finally {
    client.off("commandStarted", onCommand);
  }
  return seen;
}
