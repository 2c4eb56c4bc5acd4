import { outboundRequest, unitsToDecimal } from '@polymaker/api/core';

/**
 * Reads a public address's USDC (ERC-20 balanceOf) and POL (native) balances over a Polygon
 * JSON-RPC URL. Amounts come back as exact decimal strings (core's unitsToDecimal).
 */
export function balanceOfCallData(address: string): string {
  return `0x70a08231${address.toLowerCase().replace(/^0x/, '').padStart(64, '0')}`;
}

const MAX_RPC_ANSWER_BYTES = 1024 * 1024;

/**
 * One JSON-RPC call to the (admin-set) RPC URL: refused targets fail before connecting, a redirect
 * is an error (never followed) and errors name the status and size, never the answer's text.
 */
async function rpc(url: string, method: string, params: unknown[]): Promise<string> {
  let answer;
  try {
    answer = await outboundRequest(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      timeoutMs: 10_000,
      maxBytes: MAX_RPC_ANSWER_BYTES,
    });
  } catch (error) {
    throw new Error(`JSON-RPC ${method}: ${(error as Error).message}`);
  }
  if (answer.status >= 300 && answer.status < 400) {
    throw new Error(
      `JSON-RPC ${method} answered HTTP ${answer.status} (a redirect): redirects are not followed; set the final URL`,
    );
  }
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`JSON-RPC ${method} answered HTTP ${answer.status}`);
  if (answer.truncated)
    throw new Error(`JSON-RPC ${method}: the answer is larger than ${MAX_RPC_ANSWER_BYTES} bytes`);
  let body: { result?: unknown; error?: { message?: unknown } };
  try {
    body = JSON.parse(answer.body.toString('utf8')) as typeof body;
  } catch {
    throw new Error(`JSON-RPC ${method}: the answer is not JSON (${answer.bytes} bytes)`);
  }
  if (body.error) {
    const message = typeof body.error.message === 'string' ? body.error.message.slice(0, 200) : 'error';
    throw new Error(`JSON-RPC ${method}: ${message}`);
  }
  if (typeof body.result !== 'string' || !/^0x[0-9a-fA-F]{0,200}$/.test(body.result))
    throw new Error(`JSON-RPC ${method}: unexpected result`);
  return body.result;
}

export async function readWalletBalances(
  rpcUrl: string,
  address: string,
  usdcContract: string,
): Promise<{ usdc: string; pol: string }> {
  const [usdcRaw, polRaw] = await Promise.all([
    rpc(rpcUrl, 'eth_call', [{ to: usdcContract, data: balanceOfCallData(address) }, 'latest']),
    rpc(rpcUrl, 'eth_getBalance', [address, 'latest']),
  ]);
  return { usdc: unitsToDecimal(usdcRaw, 6), pol: unitsToDecimal(polRaw, 18) };
}
