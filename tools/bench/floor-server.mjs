// The floor of the write path for the benchmark: `DATABASE_URL=... node floor-server.mjs` listens on a
// free port, prints it on stdout, and answers each POST (the body of POST /api/bot/trade) with one
// `INSERT ... RETURNING id` into the same `trades` table: bare node:http + pg, no validation, no
// framework, the pool as large as the API's (FLOOR_POOL_SIZE, default 20). Nothing can do this faster
// with one statement per request, so POST /api/bot/trade is reported as a ratio of it.
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.FLOOR_POOL_SIZE ?? 20),
});
const INSERT = `insert into trades (run_id, cycle, asset, window_duration, side, outcome, price, size, strategy, condition_id, token_id)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id`;

function answer(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let t;
    try {
      t = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(res, 400, { error: 'body is not JSON' });
    }
    pool
      .query(INSERT, [
        t.runId,
        t.cycle,
        t.asset,
        t.windowDuration,
        String(t.side).toLowerCase(),
        t.outcome,
        String(t.price),
        String(t.size),
        t.strategy ?? null,
        t.conditionId ?? null,
        t.tokenId ?? null,
      ])
      .then(
        (result) => answer(res, 201, { tradeId: Number(result.rows[0].id) }),
        (error) => answer(res, 500, { error: error.message }),
      );
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => pool.end().finally(() => process.exit(0)));
