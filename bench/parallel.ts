import { PyramidChatModel } from "../src/index.js";
import { bareLangGraph, makeMembers, queryMessages } from "./shapes.js";
import type { LatencyChatModel } from "./latency_model.js";
import { figure, median, now } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the parallel-crowd suite. */
export interface ParallelOptions {
  /** Paired measurements (one pyramid query, one call of the slowest member alone). Default 15. */
  readonly repeats?: number;
  /** Latency of the fast members, ms. Default 50. */
  readonly fastMs?: number;
  /** Latency of the slow member, ms. Default 200. */
  readonly slowMs?: number;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = now();
  await run();
  return now() - t0;
}

async function measure(
  crowdLatencies: readonly number[],
  repeats: number,
): Promise<{ pyramid: number[]; slowest: number[]; bareGraph: number[] }> {
  const members = makeMembers({ crowd: crowdLatencies, oracle: crowdLatencies[0] });
  const model = new PyramidChatModel({ crowd: members.crowd, oracle: members.oracle, task: "math" });
  const graph = bareLangGraph(members);
  const slowIndex = crowdLatencies.indexOf(Math.max(...crowdLatencies));
  const slowest: LatencyChatModel = members.crowd[slowIndex];
  const pyramid: number[] = [];
  const alone: number[] = [];
  const bare: number[] = [];
  // Easy queries only (i not a multiple of 5): the crowd agrees, so the pyramid's latency is the crowd's.
  const easy = (k: number): number => 5 * k + 1;
  await model.invoke(queryMessages(easy(0)));
  await slowest.invoke(queryMessages(easy(0)));
  await graph.invoke({ messages: queryMessages(easy(0)) });
  for (let k = 0; k < repeats; k++) {
    const i = easy(k + 1);
    if (k % 2 === 0) {
      pyramid.push(await timed(() => model.invoke(queryMessages(i))));
      alone.push(await timed(() => slowest.invoke(queryMessages(i))));
    } else {
      alone.push(await timed(() => slowest.invoke(queryMessages(i))));
      pyramid.push(await timed(() => model.invoke(queryMessages(i))));
    }
    bare.push(await timed(() => graph.invoke({ messages: queryMessages(i) })));
  }
  return { pyramid, slowest: alone, bareGraph: bare };
}

/** Builds the parallel-crowd suite: the crowd must cost its slowest member's latency, not the sum. */
export function createParallelSuite(options: ParallelOptions = {}): BenchSuite {
  const repeats = options.repeats ?? 15;
  const fast = options.fastMs ?? 50;
  const slow = options.slowMs ?? 200;
  return async (): Promise<BenchFigure[]> => {
    const equal = await measure([fast, fast, fast], repeats);
    const mixed = await measure([fast, fast, slow], repeats);
    const section = "Parallel crowd";
    const floor = (m: { bareGraph: number[]; slowest: number[] }): string =>
      `${(median(m.bareGraph) / median(m.slowest)).toFixed(2)}x`;
    return [
      figure({
        section,
        name: `pyramid latency vs slowest member, crowd ${fast}/${fast}/${fast} ms`,
        unit: "ms/query",
        values: equal.pyramid,
        baselines: equal.slowest,
        maxRatio: 1.05,
        note: `baseline = one ${fast} ms member called alone, paired with each query (${repeats} pairs); sum of members would be ${3 * fast} ms; bounded by LangGraph's own per-query cost: the bare graph (a) takes ${floor(equal)} of the slowest member here`,
      }),
      figure({
        section,
        name: `bare LangGraph graph (a) latency vs slowest member, crowd ${fast}/${fast}/${fast} ms`,
        unit: "ms/query",
        values: equal.bareGraph,
        baselines: equal.slowest,
        note: "the floor: LangGraph's own per-query cost on top of the slowest member, for comparison",
      }),
      figure({
        section,
        name: `pyramid latency vs slowest member, crowd ${fast}/${fast}/${slow} ms`,
        unit: "ms/query",
        values: mixed.pyramid,
        baselines: mixed.slowest,
        maxRatio: 1.05,
        note: `baseline = the ${slow} ms member called alone, paired with each query (${repeats} pairs); sum of members would be ${2 * fast + slow} ms; the bare graph (a) takes ${floor(mixed)} of the slowest member here`,
      }),
      figure({
        section,
        name: `bare LangGraph graph (a) latency vs slowest member, crowd ${fast}/${fast}/${slow} ms`,
        unit: "ms/query",
        values: mixed.bareGraph,
        baselines: mixed.slowest,
        note: "the floor: LangGraph's own per-query cost on top of the slowest member, for comparison",
      }),
    ];
  };
}

/** The parallel-crowd suite with its default settings. */
export const parallelSuite: BenchSuite = createParallelSuite();
