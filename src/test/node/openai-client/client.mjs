// Quiver's OpenAI routes called through the official OpenAI SDK for Node, as an application would.
// Prints what it got as one JSON object; the Java test (OpenAiSdkTest) checks it.
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.QUIVER_OPENAI_URL, apiKey: "unused" });
const chatModel = process.env.QUIVER_CHAT_MODEL;
const request = JSON.parse(process.env.QUIVER_REQUEST);

const models = await client.models.list();
const chat = await client.chat.completions.create({
  model: chatModel, messages: request.messages, max_tokens: request.max_tokens, temperature: 0,
});

const stream = await client.chat.completions.create({
  model: chatModel, messages: request.messages, max_tokens: request.max_tokens, temperature: 0,
  stream: true, stream_options: { include_usage: true },
});
let streamed = "";
let finish = null;
let usage = null;
for await (const chunk of stream) {
  if (chunk.choices.length > 0) {
    streamed += chunk.choices[0].delta.content ?? "";
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  usage = chunk.usage ?? usage;
}

const completion = await client.completions.create({
  model: chatModel, prompt: request.prompt, max_tokens: request.max_tokens, temperature: 0,
});

const embeddings = await client.embeddings.create({ model: process.env.QUIVER_EMBEDDING_MODEL, input: request.texts });

let error = null;
try {
  await client.chat.completions.create({ model: chatModel, messages: request.messages, temperature: 9 });
} catch (e) {
  error = { status: e.status, param: e.param ?? e.error?.param, type: e.type ?? e.error?.type };
}

console.log(JSON.stringify({
  models: models.data.map((m) => m.id),
  chat: { text: chat.choices[0].message.content, finish: chat.choices[0].finish_reason, usage: chat.usage },
  stream: { text: streamed, finish, usage },
  completion: { text: completion.choices[0].text, finish: completion.choices[0].finish_reason },
  embeddings: embeddings.data.map((d) => d.embedding),
  error,
}));
