// The minimal Probot app `bot bench` drives beside the bot: Probot verifies
// each delivery's signature (X-Hub-Signature-256) and answers once the app's
// handler has run; the handler does nothing, so the numbers are Probot's
// intake alone, without storing anything.
//
// Environment: APP_ID, PRIVATE_KEY (PEM), WEBHOOK_SECRET, BENCH_PORT (0 for
// any free port). It prints "listening <port>" on stdout when ready.
import { createServer } from "node:http";
import { createNodeMiddleware, createProbot } from "probot";

const probot = createProbot({ overrides: { logLevel: "warn", webhookPath: "/api/github/webhooks" } });
const app = (app) => {
  app.on("pull_request", async () => {});
};
const middleware = await createNodeMiddleware(app, { probot });
const server = createServer((req, res) => {
  middleware(req, res, () => {
    res.writeHead(404).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.BENCH_PORT || 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
