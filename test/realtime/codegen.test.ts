import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { runCodegen, stateFiles } from "../../src/codegen";
import { createUser } from "../support/factories";
import { resetState, testServer } from "../support/server";
import { sdkClient } from "../support/sdk";
import { postStory } from "../support/stories";

/**
 * `npm run codegen`: schema-codegen over schema/ writes C# and TypeScript state classes. The
 * TypeScript output must compile against @colyseus/sdk as a `Room<State>` type, and decode a real
 * room's state; every server state class has its C# twin.
 */
const ROOT = path.resolve(__dirname, "../..");
// inside the git-ignored dist/, so the generated files resolve @colyseus/* from node_modules
const OUT = path.join(ROOT, "dist", `codegen-test-${process.pid}`);

/** Every `export class X extends Schema` in schema/*.state.ts. */
function serverStateClasses(): string[] {
  return stateFiles().flatMap((f) => [...readFileSync(f, "utf8").matchAll(/export class (\w+) extends Schema/g)].map((m) => m[1]!));
}

/** What a TypeScript client project compiles the generated classes with. */
const compilerOptions: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  experimentalDecorators: true,
  useDefineForClassFields: false,
  skipLibCheck: true,
  types: [],
};

const CLIENT = `
import { Client, Room } from "@colyseus/sdk";
import { StoryRoomState } from "./ts/StoryRoomState";
import { LiveRoomState } from "./ts/LiveRoomState";
import { NegotiationRoomState } from "./ts/NegotiationRoomState";
import { PlaythroughState } from "./ts/PlaythroughState";

export async function play(client: Client): Promise<void> {
  const story: Room<any, StoryRoomState> = await client.joinOrCreate("story", { authorId: "a" }, StoryRoomState);
  const watching: number = story.state.watchingNow;
  story.state.stories.forEach((s, id: string) => {
    const type: string = s.storyType;
    void [type, id];
  });
  // @ts-expect-error the generated class is a real type, not any: an unknown field does not compile
  story.state.noSuchField;
  const live: Room<any, LiveRoomState> = await client.joinOrCreate("live", { streamId: "s" }, LiveRoomState);
  const deal: Room<any, NegotiationRoomState> = await client.joinOrCreate("negotiation", {}, NegotiationRoomState);
  const book: Room<any, PlaythroughState> = await client.joinOrCreate("playthrough", {}, PlaythroughState);
  const fields: string[] = [live.state.status, deal.state.flowState, book.state.mode];
  void [watching, fields];
}
`;

describe("codegen: typed state classes for engine clients", function () {
  this.timeout(120_000);
  let written: ReturnType<typeof runCodegen>;

  before(() => {
    rmSync(OUT, { recursive: true, force: true });
    written = runCodegen(OUT);
  });
  after(() => rmSync(OUT, { recursive: true, force: true }));

  it("writes a C# and a TypeScript file for every state class on the server", () => {
    const classes = serverStateClasses();
    assert.ok(classes.length >= 10, `found ${classes.length} state classes`);
    for (const c of classes) {
      assert.ok(existsSync(path.join(OUT, "csharp", `${c}.cs`)), `${c}.cs`);
      assert.ok(existsSync(path.join(OUT, "ts", `${c}.ts`)), `${c}.ts`);
    }
    assert.equal(written.csharp.length, classes.length);
    const cs = readFileSync(path.join(OUT, "csharp", "StoryRoomState.cs"), "utf8");
    assert.match(cs, /namespace Limelight\.Schema/);
    assert.match(cs, /Type\(\d+, "number"\)\]\s*public double watchingNow/);
    assert.match(cs, /public partial class StoryRoomState : global::Colyseus\.Schema\.Schema/);
  });

  it("the TypeScript output compiles against @colyseus/sdk as Room<State>", () => {
    const file = path.join(OUT, "client.ts");
    writeFileSync(file, CLIENT);
    const program = ts.createProgram([file], compilerOptions);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    assert.deepEqual(diagnostics, []);

    // and the check has teeth: a wrong field type is an error
    writeFileSync(file, CLIENT.replace("const watching: number", "const watching: string"));
    const broken = ts.createProgram([file], compilerOptions);
    assert.ok(ts.getPreEmitDiagnostics(broken).length > 0, "a type error in the client is caught");
  });

  describe("decoding a real room", () => {
    before(testServer);
    beforeEach(resetState);

    it("a client joined with the generated StoryRoomState reads the server's state through it", async () => {
      // compiled as a client project would (legacy decorators, as @colyseus/schema documents)
      const outDir = path.join(OUT, "js");
      const emitted = ts.createProgram([path.join(OUT, "ts", "StoryRoomState.ts")], { ...compilerOptions, noEmit: false, outDir }).emit();
      assert.equal(emitted.emitSkipped, false);
      const { StoryRoomState } = require(path.join(outDir, "StoryRoomState.js")) as { StoryRoomState: new () => any };
      const author = await createUser({ roles: ["creator"] });
      const storyId = await postStory(author, { text_content: "generated" });
      const room = await sdkClient(author.token).joinOrCreate("story", { authorId: author.id }, StoryRoomState);
      try {
        const deadline = Date.now() + 3000;
        while (room.state.stories?.size !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(room.state instanceof StoryRoomState);
        assert.equal(room.state.authorId, author.id);
        assert.equal(room.state.stories.get(storyId)?.textContent, "generated");
      } finally {
        await room.leave();
      }
    });
  });
});
