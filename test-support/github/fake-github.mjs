// A GitHub API fake for the pull-request comment tests: @simulacrum/github-api-simulator checks
// every request against GitHub's published OpenAPI description; the handlers below keep issue
// comments in memory (create, get, list with pagination, update, delete), check the token, and
// append every request that carries a body to a log the tests read.
//
// usage: node fake-github.mjs PORT TOKEN LOG_FILE [PAGE_SIZE]
import { appendFileSync } from "node:fs";
import { simulation } from "@simulacrum/github-api-simulator";

const [port, token, log, pageSize] = [Number(process.argv[2]), process.argv[3], process.argv[4], Number(process.argv[5] ?? 100)];
const comments = new Map();
let nextId = 1000;

const view = (c, host) => ({
  id: c.id, node_id: `IC_${c.id}`, body: c.body, user: { login: "isopod-bot", id: 1, type: "Bot" },
  url: `http://${host}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
  html_url: `http://${host}/${c.owner}/${c.repo}/pull/${c.issue}#issuecomment-${c.id}`,
  issue_url: `http://${host}/repos/${c.owner}/${c.repo}/issues/${c.issue}`,
  created_at: c.created_at, updated_at: c.updated_at, author_association: "NONE",
});

const record = (req, operation, body) =>
  appendFileSync(log, JSON.stringify({ operation, method: req.method, path: req.path, body }) + "\n");

// Every handler refuses a request without the expected token, as GitHub does.
const authorized = (handler) => async (ctx, req, res) => {
  if (req.headers.authorization !== `Bearer ${token}`) {
    record(req, "unauthorized", null);
    return res.status(401).json({ message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
  }
  return handler(ctx, req, res);
};

const app = simulation({
  initialState: {
    users: [{ login: "isopod-bot", organizations: ["acme"] }],
    organizations: [{ login: "acme" }], repositories: [{ owner: "acme", name: "net" }], branches: [], blobs: [],
  },
  extend: { openapiHandlers: () => ({
    "issues/create-comment": authorized(async (ctx, req, res) => {
      const { owner, repo, issue_number } = ctx.request.params, now = new Date().toISOString();
      const c = { id: nextId++, owner, repo, issue: Number(issue_number), body: ctx.request.requestBody.body, created_at: now, updated_at: now };
      record(req, "create", c.body);
      comments.set(c.id, c);
      res.status(201).json(view(c, req.headers.host));
    }),
    "issues/update-comment": authorized(async (ctx, req, res) => {
      const c = comments.get(Number(ctx.request.params.comment_id));
      record(req, "update", ctx.request.requestBody.body);
      if (!c) return res.status(404).json({ message: "Not Found" });
      c.body = ctx.request.requestBody.body; c.updated_at = new Date().toISOString();
      res.status(200).json(view(c, req.headers.host));
    }),
    "issues/delete-comment": authorized(async (ctx, req, res) => {
      const id = Number(ctx.request.params.comment_id);
      record(req, "delete", null);
      if (!comments.delete(id)) return res.status(404).json({ message: "Not Found" });
      res.status(204).end();
    }),
    "issues/get-comment": authorized(async (ctx, req, res) => {
      const c = comments.get(Number(ctx.request.params.comment_id));
      c ? res.status(200).json(view(c, req.headers.host)) : res.status(404).json({ message: "Not Found" });
    }),
    "issues/list-comments": authorized(async (ctx, req, res) => {
      const { owner, repo, issue_number } = ctx.request.params;
      const perPage = Math.min(Number(req.query.per_page ?? 30), pageSize), page = Number(req.query.page ?? 1);
      const all = [...comments.values()].filter(c => c.owner === owner && c.repo === repo && c.issue === Number(issue_number));
      record(req, "list", null);
      if (page * perPage < all.length) {
        const next = `http://${req.headers.host}${req.path}?per_page=${perPage}&page=${page + 1}`;
        res.set("Link", `<${next}>; rel="next"`);
      }
      res.status(200).json(all.slice((page - 1) * perPage, page * perPage).map(c => view(c, req.headers.host)));
    }),
  }) },
});
app.listen(port, "127.0.0.1", () => console.log(`fake github on http://127.0.0.1:${port}`));
