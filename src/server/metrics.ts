import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Budget } from "../cost/budget_api.js";
import type { PyramidMetadata } from "../graph/result.js";

/** Tenant label used for requests without a tenant (no tenants configured, or the `--token-env` token). */
export const DEFAULT_TENANT = "default";

/** Latency buckets in seconds (10 ms .. 2 min). */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The server's Prometheus metrics, in a registry of their own (not prom-client's global default), served as
 * `GET /metrics`. Every series carries the tenant. See docs/server.md for the list.
 */
export class PyramidMetrics {
  /** The registry holding every pyramid metric. */
  readonly registry = new Registry();
  private readonly requests: Counter<"tenant" | "status">;
  private readonly duration: Histogram<"tenant">;
  private readonly escalations: Counter<"tenant" | "from_tier" | "to_tier">;
  private readonly degraded: Counter<"tenant">;
  private readonly memberErrors: Counter<"tenant" | "tier" | "member">;
  private readonly tierLatency: Histogram<"tenant" | "tier">;
  private readonly cost: Counter<"tenant">;
  private readonly oracleOnlyCost: Counter<"tenant">;
  private readonly tokens: Counter<"tenant" | "type">;
  private readonly rateLimited: Counter<"tenant" | "limit">;
  private readonly budgets = new Map<string, Budget>();
  private source?: () => Promise<string>;

  /** Creates the metrics; `prefix` starts every name (default `pyramid_`). */
  constructor(prefix = "pyramid_") {
    const registers = [this.registry];
    this.requests = new Counter({
      name: `${prefix}requests_total`,
      help: "Chat completion requests answered, by tenant and HTTP status.",
      labelNames: ["tenant", "status"],
      registers,
    });
    this.duration = new Histogram({
      name: `${prefix}request_duration_seconds`,
      help: "Time to answer a chat completion request (whole request), by tenant.",
      labelNames: ["tenant"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.escalations = new Counter({
      name: `${prefix}escalations_total`,
      help: "Queries sent from one tier to the next.",
      labelNames: ["tenant", "from_tier", "to_tier"],
      registers,
    });
    this.degraded = new Counter({
      name: `${prefix}degraded_answers_total`,
      help: "Answers taken from a lower tier because every apex member failed.",
      labelNames: ["tenant"],
      registers,
    });
    this.memberErrors = new Counter({
      name: `${prefix}member_errors_total`,
      help: "Member calls that failed after their retries, by tier and member.",
      labelNames: ["tenant", "tier", "member"],
      registers,
    });
    this.tierLatency = new Histogram({
      name: `${prefix}tier_latency_seconds`,
      help: "Latency of one tier (its slowest member: members run concurrently), by tier.",
      labelNames: ["tenant", "tier"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.cost = new Counter({
      name: `${prefix}cost_usd_total`,
      help: "USD spent on member calls.",
      labelNames: ["tenant"],
      registers,
    });
    this.oracleOnlyCost = new Counter({
      name: `${prefix}oracle_only_cost_usd_total`,
      help: "USD the same queries would have cost with the apex alone (estimated when the apex was not called); savings = this - cost.",
      labelNames: ["tenant"],
      registers,
    });
    this.tokens = new Counter({
      name: `${prefix}tokens_total`,
      help: "Tokens used over every member call, by type (input, output).",
      labelNames: ["tenant", "type"],
      registers,
    });
    this.rateLimited = new Counter({
      name: `${prefix}rate_limited_total`,
      help: "Requests refused with 429, by the limit that refused them (requests, tokens).",
      labelNames: ["tenant", "limit"],
      registers,
    });
    const budgets = this.budgets;
    new Gauge({
      name: `${prefix}budget_remaining_usd`,
      help: "USD left in a budget's current window (global, or a tenant's), read at scrape time.",
      labelNames: ["budget"],
      registers,
      // Every worker reads the same budget: aggregated across a cluster, one worker's reading stands for all.
      aggregator: "first",
      async collect() {
        this.reset();
        const entries = [...budgets.entries()];
        const values = await Promise.all(entries.map(([, budget]) => budget.remainingUsd().catch(() => Number.NaN)));
        entries.forEach(([name], i) => {
          this.set({ budget: name }, values[i]);
        });
      },
    });
  }

  /** Reports `budget`'s remaining USD as `budget_remaining_usd{budget="<name>"}`. */
  watchBudget(name: string, budget: Budget): void {
    this.budgets.set(name, budget);
  }

  /** Counts a finished request and its duration. */
  observeRequest(tenant: string, status: number, seconds: number): void {
    this.requests.inc({ tenant, status: String(status) });
    this.duration.observe({ tenant }, seconds);
  }

  /** Counts a 429. */
  observeRateLimited(tenant: string, limit: "requests" | "tokens"): void {
    this.rateLimited.inc({ tenant, limit });
  }

  /** Records what one answered query did: escalations, member errors, tier latencies, cost, tokens. */
  observeAnswer(tenant: string, pyramid: PyramidMetadata, tokens: { input: number; output: number }): void {
    for (const decision of pyramid.decisions) {
      if (!decision.escalated) continue;
      this.escalations.inc({ tenant, from_tier: decision.tierName, to_tier: tierName(pyramid, decision.tier + 1) });
    }
    if (pyramid.degraded) this.degraded.inc({ tenant });
    const slowest = new Map<number, number>();
    for (const candidate of pyramid.candidates) {
      slowest.set(candidate.tier, Math.max(slowest.get(candidate.tier) ?? 0, candidate.latencyMs));
      if (candidate.error !== undefined)
        this.memberErrors.inc({ tenant, tier: tierName(pyramid, candidate.tier), member: candidate.model });
    }
    for (const [tier, ms] of slowest) this.tierLatency.observe({ tenant, tier: tierName(pyramid, tier) }, ms / 1000);
    this.cost.inc({ tenant }, pyramid.cost.total);
    this.oracleOnlyCost.inc({ tenant }, pyramid.cost.oracleOnly);
    this.tokens.inc({ tenant, type: "input" }, tokens.input);
    this.tokens.inc({ tenant, type: "output" }, tokens.output);
  }

  /** Serves `source()` instead of this registry (a cluster worker serves the whole cluster's metrics). */
  serveFrom(source: () => Promise<string>): void {
    this.source = source;
  }

  /** The exposition text of every metric. */
  async text(): Promise<string> {
    return this.source ? this.source() : this.registry.metrics();
  }
}

/** A tier's name from the trace: the decision naming it, or the cost breakdown's order. */
function tierName(pyramid: PyramidMetadata, tier: number): string {
  const decided = pyramid.decisions.find((d) => d.tier === tier);
  if (decided) return decided.tierName;
  const names = Object.keys(pyramid.cost.byTier);
  return names[tier] ?? (tier === pyramid.tier ? pyramid.tierName : String(tier));
}
