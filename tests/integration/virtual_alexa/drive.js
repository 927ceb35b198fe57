// Plays conversations written as data through virtual-alexa (bespoken's Alexa emulator):
// it matches each phrase against our en-US interaction model, builds the request envelope
// and POSTs it to the skill's URL (devkit/serve.py around lambda/app.py's handler).
//
//   node drive.js <skill-url> <interaction-model.json> <conversations.json> <alexa-api-endpoint>
//
// Prints one JSON document: for each conversation, what each turn sent and heard. It
// judges nothing: the expectations are checked by tests/integration/test_virtual_alexa.py.
//
// Each conversation gets its own emulated user and device. Its clock starts at `start`
// and moves with {"wait": "2d"} (d, h, m): every request's timestamp is set from it, and
// the device's Alexa API endpoint points at the local Settings and Reminders stand-in that
// devkit/serve.py starts, so no request ever leaves this machine.
"use strict";

const fs = require("fs");
const { VirtualAlexa } = require("virtual-alexa");

const UNITS = { d: 86400000, h: 3600000, m: 60000 };

function duration(text) {
  const parts = [...text.matchAll(/(\d+)\s*([dhm])/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== text.replace(/\s+/g, "")) {
    throw new Error(`bad wait ${JSON.stringify(text)}: use e.g. "2d", "5h", "1d6h"`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS[unit], 0);
}

function alexaTime(ms) {
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}

function slotsOf(request) {
  const slots = (request.request.intent && request.request.intent.slots) || {};
  const out = {};
  for (const [name, slot] of Object.entries(slots)) {
    if (slot.value === undefined) continue;
    const authority = slot.resolutions && slot.resolutions.resolutionsPerAuthority[0];
    const id = authority && authority.values ? authority.values[0].value.id : undefined;
    out[name] = id ? `${slot.value} (${id})` : slot.value;
  }
  return out;
}

async function play(skillUrl, modelFile, conversation, skillId, apiEndpoint) {
  const alexa = VirtualAlexa.Builder()
    .applicationID(skillId)
    .interactionModelFile(conversation.locale ? modelFile.replace(/en-US\.json$/, `${conversation.locale}.json`) : modelFile)
    .skillURL(skillUrl)
    .locale(conversation.locale || "en-US")
    .create();
  if (conversation.device) {
    // With a device id, virtual-alexa adds apiEndpoint and apiAccessToken to requests.
    alexa.context().device().setID(`amzn1.ask.device.E2E-${conversation.device}`);
  }
  let clock = Date.parse(conversation.start);
  let sent = null;
  alexa.filter((request) => {
    request.request.timestamp = alexaTime(clock);
    if (request.context.System.apiEndpoint) {
      request.context.System.apiEndpoint = apiEndpoint;
    }
    sent = request;
  });
  const turns = [];
  for (const step of conversation.turns) {
    if (step.wait !== undefined) {
      if (alexa.context().activeSession()) {
        turns.push({ wait: step.wait, error: "the session is still open: end it before waiting" });
        break;
      }
      clock += duration(step.wait);
      continue;
    }
    sent = null;
    const turn = { say: step.say };
    turns.push(turn);
    try {
      const reply = await alexa.utter(step.say);
      turn.request = sent && {
        type: sent.request.type,
        intent: sent.request.intent ? sent.request.intent.name : undefined,
        slots: slotsOf(sent),
        timestamp: sent.request.timestamp,
        new_session: sent.session ? sent.session.new : undefined,
      };
      const response = (reply && reply.response) || {};
      turn.speech = response.outputSpeech ? response.outputSpeech.ssml || response.outputSpeech.text : null;
      turn.reprompt = response.reprompt ? response.reprompt.outputSpeech.ssml : null;
      turn.card = response.card ? `${response.card.title}: ${response.card.content || response.card.text}` : null;
      turn.ends = sent && sent.request.type === "SessionEndedRequest" ? true : response.shouldEndSession !== false;
    } catch (error) {
      turn.error = String(error && error.message ? error.message : error);
      break;
    }
  }
  return { name: conversation.name, turns };
}

async function main() {
  const [skillUrl, modelFile, conversationsFile, apiEndpoint] = process.argv.slice(2);
  if (!conversationsFile) {
    console.error("usage: node drive.js <skill-url> <interaction-model.json> <conversations.json>");
    process.exit(2);
  }
  const data = JSON.parse(fs.readFileSync(conversationsFile, "utf8"));
  const results = [];
  for (const conversation of data.conversations) {
    results.push(await play(skillUrl, modelFile, { start: data.start, ...conversation }, data.skill_id, apiEndpoint));
  }
  process.stdout.write(JSON.stringify(results, null, 1) + "\n");
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
