import { describe, expect, it } from "vitest";
import { EXAMPLE_CONFIG_YAML, parsePyramidConfig } from "../../src/config/index.js";
import { PyramidConfigError } from "../../src/errors/index.js";
import { PyramidChatModel } from "../../src/index.js";
import { FakeListChatModel } from "@langchain/core/utils/testing";

const withTask = (task: string) => EXAMPLE_CONFIG_YAML.replace(/^task: math$/m, task);

describe("the config file takes the JSON-field, regex and label forms of task", () => {
  it("accepts { field }, { regex } and { choice }", () => {
    expect(parsePyramidConfig(withTask("task: { field: answer }")).task).toEqual({ field: "answer" });
    expect(parsePyramidConfig(withTask('task: { regex: "Answer: (\\\\d+)", flags: i }')).task).toEqual({
      regex: "Answer: (\\d+)",
      flags: "i",
    });
    expect(parsePyramidConfig(withTask("task: { choice: [yes, no, maybe] }")).task).toEqual({
      choice: ["yes", "no", "maybe"],
    });
  });
  it("refuses an invalid regex and an unknown form, naming task", () => {
    expect(() => parsePyramidConfig(withTask('task: { regex: "(" }'))).toThrow(
      /task\.regex.*invalid regular expression/s,
    );
    expect(() => parsePyramidConfig(withTask("task: { yaml: answer }"))).toThrow(/task/);
  });
});

describe("PyramidOptions.task takes a key function", () => {
  it("votes on the function's keys", async () => {
    const member = (reply: string) => new FakeListChatModel({ responses: [reply] });
    const pyramid = new PyramidChatModel({
      crowd: [member("I pick RED."), member("red it is"), member("Blue")],
      oracle: member("green"),
      task: (text: string) => /red|blue|green/i.exec(text)?.[0].toLowerCase() ?? null,
    });
    const message = await pyramid.invoke("colour?");
    expect(String(message.content)).toBe("I pick RED.");
  });
  it("refuses a task that is no form, naming the field", () => {
    const member = () => new FakeListChatModel({ responses: ["x"] });
    const build = () => new PyramidChatModel({ crowd: [member()], oracle: member(), task: 5 as unknown as "text" });
    expect(build).toThrow(PyramidConfigError);
    expect(build).toThrow(/task/);
  });
});
