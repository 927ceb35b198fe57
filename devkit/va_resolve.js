// What virtual-alexa 0.7.8 itself understands for each phrase: the reference that
// devkit/nlu.py is held to (tests/test_nlu.py::test_same_as_virtual_alexa).
//
//   node devkit/va_resolve.js <interaction-model.json> [more models...] [--utter] < phrases.json
//
// phrases.json is a JSON list of phrases: strings, or {"say": ..., "utter": true,
// "model": n} for one phrase read with --utter, or against the n-th model given (from 0). The model is loaded with virtual-alexa's own
// InteractionModel class (which adds its built-in phrases and AMAZON.NUMBER) and each
// phrase is matched with virtual-core's Utterance, as VirtualAlexa.utter does. With
// --utter, a phrase first goes through VirtualAlexa.utter's own reading of launch
// phrases ("exit" ends the session; "ask", "open", "launch", "tell" or "talk to" anywhere
// launches, and what follows "... to " is the request, if anything does).
//
// Prints one JSON list, one entry a phrase:
//   {"say": ..., "intent": name or null (nothing matched; virtual-alexa would throw)
//    or "LaunchRequest" / "SessionEndedRequest" (--utter), "slots": {name: words},
//    "ids": {name: entity-resolution id of a custom slot type}}
"use strict";

const fs = require("fs");
const { Utterance } = require("virtual-core");
const { InteractionModel } = require("virtual-alexa/lib/src/model/InteractionModel");
const { VirtualAlexa } = require("virtual-alexa");
const { SamplePhrase } = require("virtual-core/lib/src/SampleUtterances");

// virtual-core compiles each sample's RegExp anew for every phrase (SamplePhrase.regex), which
// is most of its time on a model of 28,000 samples. The expression is the same every time
// and has neither the g nor the y flag, so it keeps no state from one match to the next:
// compiling it once per sample changes no result, only the time.
const compileSample = SamplePhrase.prototype.regex;
SamplePhrase.prototype.regex = function regexOnce() {
  if (this.compiledRegex === undefined) this.compiledRegex = compileSample.call(this);
  return this.compiledRegex;
};

function resolve(model, phrase, utter) {
  let said = phrase;
  if (utter) {
    if (phrase === "exit") return { say: phrase, intent: "SessionEndedRequest", slots: {}, ids: {} };
    const launch = VirtualAlexa.prototype.parseLaunchRequest.call(null, phrase);
    if (launch === true) return { say: phrase, intent: "LaunchRequest", slots: {}, ids: {} };
    if (launch) said = launch;
  }
  const utterance = new Utterance(model, said);
  if (!utterance.matched()) return { say: phrase, intent: null, slots: {}, ids: {} };
  const intent = utterance.intent();
  const slots = utterance.toJSON();
  const ids = {};
  const schema = model.intentSchema.intent(intent);
  for (const [name, value] of Object.entries(slots)) {
    const slot = schema.slotForName(name);
    const type = slot && model.slotTypes.slotType(slot.type);
    if (!type || !type.isCustom()) continue;
    const found = type.matchAll(value).find((m) => m.enumeratedValue && !m.enumeratedValue.builtin);
    if (found) ids[name] = found.enumeratedValue.id;
  }
  return { say: phrase, intent, slots, ids };
}

function main() {
  const args = process.argv.slice(2);
  const modelFiles = args.filter((a) => !a.startsWith("--"));
  if (!modelFiles.length) {
    console.error("usage: node devkit/va_resolve.js <interaction-model.json> [--utter] < phrases.json");
    process.exit(2);
  }
  const models = modelFiles.map((file) => InteractionModel.fromFile(file));
  const phrases = JSON.parse(fs.readFileSync(0, "utf8"));
  const utter = args.includes("--utter");
  const resolved = phrases.map((p) => (typeof p === "string"
    ? resolve(models[0], p, utter)
    : resolve(models[p.model || 0], p.say, p.utter === undefined ? utter : p.utter)));
  process.stdout.write(JSON.stringify(resolved) + "\n");
}

main();
