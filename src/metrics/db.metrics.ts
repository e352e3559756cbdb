/** The driver client's monitoring events (mongoose bundles its own mongodb copy; only `on` is used). */
interface MonitoredClient {
  on(event: "commandSucceeded" | "commandFailed", listener: (e: { commandName: string; duration: number }) => void): unknown;
}
import { dbCommandDuration } from "./metrics";

const observed = new WeakSet<MonitoredClient>();

/** Driver command monitoring → the command latency histogram (needs `monitorCommands: true`). */
export function observeCommands(client: MonitoredClient): void {
  if (observed.has(client)) return;
  observed.add(client);
  client.on("commandSucceeded", (e) => dbCommandDuration.observe({ command: e.commandName, outcome: "ok" }, e.duration / 1000));
  client.on("commandFailed", (e) => dbCommandDuration.observe({ command: e.commandName, outcome: "failed" }, e.duration / 1000));
}
