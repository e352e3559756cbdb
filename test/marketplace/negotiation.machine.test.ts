import assert from "node:assert/strict";
import {
  FLOW_ACTIONS,
  FLOW_ROLES,
  FLOW_STATES,
  MAX_COUNTERS,
  MAX_REVISIONS,
  applyFlowAction,
  initialSnapshot,
  platformFee,
  printFlowTable,
  type FlowAction,
  type FlowEffect,
  type FlowEvent,
  type FlowRole,
  type FlowSnapshot,
  type FlowState,
} from "../../src/marketplace/negotiation.machine";
import { automatedMessageFor } from "../../src/marketplace/negotiation.messages";
import { DomainError } from "../../src/shared/errors";

const AT = "2026-01-01T00:00:00.000Z";
const start = () => initialSnapshot({ proposed_amount: 500_000, min_amount: 300_000, max_amount: 800_000, fee_bps: 1000 });
const act = (s: FlowSnapshot, action: FlowAction, role: FlowRole, data?: Record<string, unknown>) => applyFlowAction(s, { action, role, data, at: AT }).next;

/** Valid data for each action (the guards are tested separately). */
const DATA: Partial<Record<FlowAction, Record<string, unknown>>> = {
  negotiate_amount: { amount: 450_000, reasoning: "market rate" },
  submit_deliverable: { url: "https://cdn.example/video.mp4", note: "v1" },
  request_revision: { note: "shorter please" },
  open_dispute: { reason: "not delivered" },
  resolve_dispute: { influencer_amount: 200_000 },
};

/** One way to reach each state from the start. */
function reach(state: FlowState): FlowSnapshot {
  let s = start();
  const paidPath = (): FlowSnapshot => {
    s = act(s, "accept_proposal", "brand_owner");
    s = act(s, "pay", "brand_owner");
    return act(s, "payment_verified", "system");
  };
  switch (state) {
    case "initial":
      return s;
    case "negotiating":
      return act(s, "negotiate_amount", "brand_owner", DATA.negotiate_amount);
    case "accepted":
      return act(s, "accept_proposal", "brand_owner");
    case "declined":
      return act(s, "decline_proposal", "brand_owner");
    case "payment_pending":
      return act(act(s, "accept_proposal", "brand_owner"), "pay", "brand_owner");
    case "paid":
      return paidPath();
    case "in_progress":
      return act(paidPath(), "start_work", "influencer");
    case "submitted":
      return act(act(paidPath(), "start_work", "influencer"), "submit_deliverable", "influencer", DATA.submit_deliverable);
    case "revision_requested":
      return act(reach("submitted"), "request_revision", "brand_owner", DATA.request_revision);
    case "completed":
      return act(reach("submitted"), "approve", "brand_owner");
    case "cancelled":
      return act(s, "cancel", "influencer");
    case "disputed":
      return act(reach("in_progress"), "open_dispute", "brand_owner", DATA.open_dispute);
  }
}

/**
 * The expected table, written out independently of the machine: state → action → [who, next].
 * "awaited:X" means only role X; "parties" means brand_owner or influencer.
 */
const EXPECTED: Record<FlowState, Partial<Record<FlowAction, [string, FlowState]>>> = {
  initial: { accept_proposal: ["brand_owner", "accepted"], negotiate_amount: ["brand_owner", "negotiating"], decline_proposal: ["brand_owner", "declined"], cancel: ["parties", "cancelled"] },
  // the brand countered, so the influencer is awaited
  negotiating: { accept_proposal: ["influencer", "accepted"], negotiate_amount: ["influencer", "negotiating"], decline_proposal: ["influencer", "declined"], cancel: ["parties", "cancelled"] },
  accepted: { pay: ["brand_owner", "payment_pending"], cancel: ["parties", "cancelled"] },
  declined: {},
  payment_pending: { payment_verified: ["system", "paid"], cancel: ["parties", "cancelled"] },
  paid: { start_work: ["influencer", "in_progress"], cancel: ["parties", "cancelled"] },
  in_progress: { submit_deliverable: ["influencer", "submitted"], open_dispute: ["parties", "disputed"] },
  submitted: { approve: ["brand_owner", "completed"], request_revision: ["brand_owner", "revision_requested"], open_dispute: ["parties", "disputed"] },
  revision_requested: { submit_deliverable: ["influencer", "submitted"], open_dispute: ["parties", "disputed"] },
  completed: {},
  cancelled: {},
  // a split with a share for the influencer completes the deal
  disputed: { resolve_dispute: ["admin", "completed"] },
};

const allowedRoles = (who: string): FlowRole[] => (who === "parties" ? ["brand_owner", "influencer"] : [who as FlowRole]);

describe("Negotiation state machine (pure)", () => {
  it("every state × action × role is allowed with the documented next state, or refused with a stable code", () => {
    let checked = 0;
    for (const state of FLOW_STATES) {
      const s = reach(state);
      assert.equal(s.state, state);
      for (const action of FLOW_ACTIONS) {
        for (const role of FLOW_ROLES) {
          checked++;
          const expected = EXPECTED[state][action];
          const run = () => applyFlowAction(s, { action, role, data: DATA[action], at: AT });
          if (!expected) {
            assert.throws(run, (err: unknown) => err instanceof DomainError && err.code === "invalid_transition", `${state} ${action} ${role}`);
          } else if (!allowedRoles(expected[0]).includes(role)) {
            assert.throws(run, (err: unknown) => err instanceof DomainError && err.code === "not_your_turn", `${state} ${action} ${role}`);
          } else {
            const out = run();
            assert.equal(out.next.state, expected[1], `${state} ${action} ${role}`);
            assert.equal(out.next.version, s.version + 1);
            assert.ok(FLOW_STATES.includes(out.next.state));
          }
        }
      }
    }
    assert.equal(checked, 12 * 12 * 4);
  });

  it("awaiting_role follows the counters: whoever did not counter last is awaited", () => {
    let s = start();
    assert.equal(s.awaiting_role, "brand_owner");
    s = act(s, "negotiate_amount", "brand_owner", { amount: 400_000 });
    assert.equal(s.awaiting_role, "influencer");
    assert.throws(() => act(s, "negotiate_amount", "brand_owner", { amount: 410_000 }), (e: DomainError) => e.code === "not_your_turn");
    s = act(s, "negotiate_amount", "influencer", { amount: 450_000 });
    assert.equal(s.awaiting_role, "brand_owner");
    s = act(s, "accept_proposal", "brand_owner");
    assert.equal(s.agreed_amount, 450_000);
    assert.equal(s.awaiting_role, "brand_owner");
  });

  it("counters stay within the bid's range, at most 10, then only accept or decline", () => {
    let s = start();
    assert.throws(() => act(s, "negotiate_amount", "brand_owner", { amount: 299_999 }), (e: DomainError) => e.code === "amount_out_of_range");
    assert.throws(() => act(s, "negotiate_amount", "brand_owner", { amount: 800_001 }), (e: DomainError) => e.code === "amount_out_of_range");
    assert.throws(() => act(s, "negotiate_amount", "brand_owner", { amount: 400_000.5 }), (e: DomainError) => e.code === "invalid_action_data");
    assert.throws(() => act(s, "negotiate_amount", "brand_owner", { amount: "400000" }), (e: DomainError) => e.code === "invalid_action_data");
    const roles: FlowRole[] = ["brand_owner", "influencer"];
    for (let i = 0; i < MAX_COUNTERS; i++) s = act(s, "negotiate_amount", roles[i % 2]!, { amount: 300_000 + i * 1000 });
    assert.equal(s.counters, MAX_COUNTERS);
    assert.throws(() => act(s, "negotiate_amount", s.awaiting_role!, { amount: 350_000 }), (e: DomainError) => e.code === "counter_limit_reached");
    const msg = automatedMessageFor(s);
    assert.deepEqual(msg.action_data.buttons.map((b) => b.action), ["accept_proposal", "decline_proposal"]);
    assert.equal(msg.flow_context.business_rules.can_negotiate, false);
    assert.equal(act(s, "accept_proposal", s.awaiting_role!).agreed_amount, 309_000);
  });

  it("at most 3 revisions; a revision needs a note; a deliverable needs an http(s) URL", () => {
    let s = reach("in_progress");
    assert.throws(() => act(s, "submit_deliverable", "influencer", { url: "javascript:alert(1)" }), (e: DomainError) => e.code === "invalid_action_data");
    s = act(s, "submit_deliverable", "influencer", DATA.submit_deliverable);
    assert.throws(() => act(s, "request_revision", "brand_owner", { note: "  " }), (e: DomainError) => e.code === "invalid_action_data");
    for (let i = 0; i < MAX_REVISIONS; i++) {
      s = act(s, "request_revision", "brand_owner", { note: `again ${i}` });
      s = act(s, "submit_deliverable", "influencer", { url: `https://cdn.example/v${i + 2}.mp4` });
    }
    assert.equal(s.deliverables.length, MAX_REVISIONS + 1);
    assert.throws(() => act(s, "request_revision", "brand_owner", { note: "one more" }), (e: DomainError) => e.code === "revision_limit_reached");
    assert.deepEqual(automatedMessageFor(s).action_data.buttons.map((b) => b.action), ["approve"]);
  });

  it("money effects: pay asks for an order, the verified payment holds, approve captures less the 10% fee, cancel releases, a resolved dispute splits", () => {
    const effectsOf = (s: FlowSnapshot, e: Omit<FlowEvent, "at">) => applyFlowAction(s, { ...e, at: AT }).effects;
    assert.deepEqual(effectsOf(reach("accepted"), { action: "pay", role: "brand_owner" }), [{ type: "create_order", amount: 500_000 }]);
    assert.deepEqual(effectsOf(reach("payment_pending"), { action: "payment_verified", role: "system" }), [{ type: "hold_escrow", amount: 500_000 }]);
    assert.deepEqual(effectsOf(reach("submitted"), { action: "approve", role: "brand_owner" }), [{ type: "capture_escrow", to_influencer: 450_000, fee: 50_000, release: 0 }]);
    assert.deepEqual(effectsOf(reach("paid"), { action: "cancel", role: "brand_owner" }), [{ type: "release_escrow", amount: 500_000 }]);
    assert.deepEqual(effectsOf(reach("accepted"), { action: "cancel", role: "brand_owner" }), [], "nothing held yet, nothing to release");
    assert.deepEqual(effectsOf(reach("disputed"), { action: "resolve_dispute", role: "admin", data: { influencer_amount: 200_000 } }), [{ type: "capture_escrow", to_influencer: 180_000, fee: 20_000, release: 300_000 }]);
    const forBrand = applyFlowAction(reach("disputed"), { action: "resolve_dispute", role: "admin", data: { influencer_amount: 0 }, at: AT });
    assert.equal(forBrand.next.state, "cancelled");
    assert.deepEqual(forBrand.effects, [{ type: "release_escrow", amount: 500_000 }]);
    assert.throws(() => act(reach("disputed"), "resolve_dispute", "admin", { influencer_amount: 500_001 }), (e: DomainError) => e.code === "amount_out_of_range");
    assert.equal(platformFee(999, 1000), 99, "the fee rounds down");
    assert.equal(platformFee(500_000, 250), 12_500, "the fee follows fee_bps");
  });

  it("each state's automated message: the awaited role's buttons, input fields, next states and business rules", () => {
    const m = automatedMessageFor(start());
    assert.equal(m.message_type, "automated");
    assert.equal(m.action_required, true);
    assert.equal(m.for_role, "brand_owner");
    assert.deepEqual(m.action_data.buttons[0], { id: "accept_proposal", text: "Accept Proposal", action: "accept_proposal", style: "success", data: { amount: 500_000 } });
    assert.deepEqual(m.flow_context.next_states, ["accepted", "negotiating", "declined", "cancelled"]);
    assert.deepEqual(m.flow_context.business_rules, { can_negotiate: true, min_amount: 300_000, max_amount: 800_000, counters_left: 10, revisions_left: 3 });
    assert.deepEqual(m.action_data.input_fields.map((f) => f.id), ["proposed_amount", "reasoning"]);
    for (const state of FLOW_STATES) {
      const msg = automatedMessageFor(reach(state));
      assert.equal(msg.flow_context.current_state, state);
      for (const b of msg.action_data.buttons) assert.ok(EXPECTED[state][b.action], `${state}: a button for ${b.action} the table does not allow`);
    }
    assert.equal(automatedMessageFor(reach("completed")).action_required, false);
  });

  it("prints the table (every state appears)", () => {
    const table = printFlowTable();
    for (const s of FLOW_STATES) assert.match(table, new RegExp(`\\| ${s} \\|`));
  });

  describe("random action sequences (property-style, seeded)", () => {
    /** mulberry32: a small seeded PRNG so a failure replays with its seed. */
    function rng(seed: number) {
      return () => {
        seed |= 0;
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    /** A model ledger: the brand's funds, escrow, influencer, platform revenue; effects move money. */
    function applyEffects(books: Record<string, number>, effects: FlowEffect[], counts: { captures: number; holds: number; releases: number }) {
      for (const e of effects) {
        if (e.type === "create_order") continue;
        if (e.type === "hold_escrow") {
          counts.holds++;
          books.brand! -= e.amount;
          books.escrow! += e.amount;
        } else if (e.type === "capture_escrow") {
          counts.captures++;
          books.escrow! -= e.to_influencer + e.fee + e.release;
          books.influencer! += e.to_influencer;
          books.revenue! += e.fee;
          books.brand! += e.release;
        } else {
          counts.releases++;
          books.escrow! -= e.amount;
          books.brand! += e.amount;
        }
      }
    }

    it("1000 random runs: money conserved, escrow empty at the end, never captured twice, no state outside the table", () => {
      for (let seed = 1; seed <= 1000; seed++) {
        const rand = rng(seed);
        const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
        let s = start();
        const books: Record<string, number> = { brand: 1_000_000, escrow: 0, influencer: 0, revenue: 0 };
        const counts = { captures: 0, holds: 0, releases: 0 };
        for (let step = 0; step < 60; step++) {
          const action = pick(FLOW_ACTIONS);
          const role = pick(FLOW_ROLES);
          const data: Record<string, unknown> = { ...DATA[action] };
          if (action === "negotiate_amount") data.amount = 250_000 + Math.floor(rand() * 600_000);
          if (action === "resolve_dispute") data.influencer_amount = Math.floor(rand() * 600_000);
          let out;
          try {
            out = applyFlowAction(s, { action, role, data, at: AT });
          } catch (err) {
            assert.ok(err instanceof DomainError, `seed ${seed}: a refusal is a DomainError`);
            continue;
          }
          assert.ok(FLOW_STATES.includes(out.next.state), `seed ${seed}: ${out.next.state}`);
          assert.equal(out.next.state, EXPECTED[s.state][action]![1] === "completed" && action === "resolve_dispute" && data.influencer_amount === 0 ? "cancelled" : EXPECTED[s.state][action]![1]);
          applyEffects(books, out.effects, counts);
          s = out.next;
          const total = books.brand! + books.escrow! + books.influencer! + books.revenue!;
          assert.equal(total, 1_000_000, `seed ${seed}: money conserved`);
          assert.ok(books.escrow! >= 0, `seed ${seed}: escrow never negative`);
          assert.equal(books.escrow, s.escrow.status === "held" ? s.escrow.amount : 0, `seed ${seed}: escrow matches the flow`);
        }
        assert.ok(counts.captures + counts.releases <= counts.holds, `seed ${seed}: every settlement has a hold`);
        assert.ok(counts.captures <= 1 && counts.holds <= 1, `seed ${seed}: escrow held and captured at most once`);
        if (["completed", "cancelled", "declined"].includes(s.state)) assert.equal(books.escrow, 0);
      }
    });
  });
});
