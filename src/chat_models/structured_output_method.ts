import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { assembleStructuredOutputPipeline } from "@langchain/core/language_models/structured_output";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import type { StructuredAnswerSpec } from "../answers/structured.js";
import { PyramidConfigError } from "../errors/index.js";
import type { TierInput } from "../graph/options.js";
import type { MemberInput } from "../members/member.js";
import { acceptsCallOption } from "../members/call_options.js";
import { bindMemberTools } from "../members/tool_choice.js";
import { planStructuredOutput } from "./structured_output.js";
import type { PyramidStructuredOutputConfig } from "./structured_output.js";

type StructuredOutput = BaseChatModel["withStructuredOutput"];

/** What {@link structuredPyramid} needs of the pyramid: its members, and a copy of it with other tiers. */
export interface StructuredHost {
  /** The tiers with every member mapped. */
  mapMembers(map: (model: MemberInput & { model: unknown }, name: string) => MemberInput): TierInput[];
  /** A copy of the pyramid with these tiers, voting on structured answers. */
  withTiers(tiers: TierInput[], structured?: StructuredAnswerSpec): Runnable<BaseLanguageModelInput, AIMessageChunk>;
}

function requireMemberOption(model: unknown, name: string, key: string): void {
  if (!acceptsCallOption(model as Runnable<BaseLanguageModelInput, BaseMessage>, key)) {
    throw new PyramidConfigError(`member "${name}" does not take "${key}", so it would be ignored`, {
      field: key,
      fix: `drop "${key}", or use members whose chat models take it`,
    });
  }
}

/**
 * `withStructuredOutput(schema, { method, includeRaw, name, strict })`, as `ChatOpenAI` does it. `functionCalling`
 * (default) binds the schema's tool to every member and forces it (`bindTools([tool], { tool_choice })`;
 * a member that cannot honour `tool_choice` is refused);
 * `jsonMode` / `jsonSchema` set `response_format` on the members that take it and tell the others the schema.
 * Each member's object is validated and canonicalized, and the crowd votes on the objects: a member without one is
 * a failed candidate. The final message is parsed by LangChain's parser for the method (its error when nothing
 * parses); `ls_structured_output_format` is set on the run.
 */
export function structuredPyramid(
  pyramid: StructuredHost,
  schema: Parameters<StructuredOutput>[0],
  config?: PyramidStructuredOutputConfig,
): ReturnType<StructuredOutput> {
  const plan = planStructuredOutput(schema, config);
  const tiers = pyramid.mapMembers((spec, name) => {
    const model = spec.model as Runnable<BaseLanguageModelInput, BaseMessage>;
    if (plan.strict !== undefined) requireMemberOption(model, name, "strict");
    if (plan.tool) {
      // The schema's tool is forced through the standard bindTools(tools, { tool_choice }) on every member; one that
      // cannot honour the choice is refused (bindMemberTools), never left to answer in text.
      const kwargs = { tool_choice: plan.name, ...(plan.strict !== undefined ? { strict: plan.strict } : {}) };
      return { ...spec, model: bindMemberTools(name, model, [plan.tool], kwargs, "withStructuredOutput") };
    }
    if (plan.responseFormat && acceptsCallOption(model, "response_format")) {
      return { ...spec, model: model.withConfig({ response_format: plan.responseFormat } as never) };
    }
    return spec;
  });
  const llm = pyramid.withTiers(tiers, plan.answer).withConfig({ ls_structured_output_format: plan.lsFormat } as never);
  return assembleStructuredOutputPipeline(llm, plan.parser, config?.includeRaw) as ReturnType<StructuredOutput>;
}
