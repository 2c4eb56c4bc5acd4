/**
 * Reads a public address's USDC (ERC-20 balanceOf) and POL (native) balances over a Polygon
 * JSON-RPC URL. Amounts come back as exact decimal strings (integer units scaled by BigInt).
 */
export function balanceOfCallData(address: string): string {
  return `0x70a08231${address.toLowerCase().replace(/^0x/, '').padStart(64, '0')}`;
}

/** Integer units (hex or decimal text) to a decimal string with `decimals` places, trailing zeros dropped. */
export function formatUnits(raw: string, decimals: number): string {
  const value = BigInt(raw === '0x' ? '0x0' : raw);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

async function rpc(url: string, method: string, params: unknown[]): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new Error(`JSON-RPC ${method}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`JSON-RPC ${method} answered HTTP ${response.status}`);
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error) throw new Error(`JSON-RPC ${method}: ${body.error.message ?? 'error'}`);
  if (typeof body.result !== 'string' || !/^0x[0-9a-fA-F]*$/.test(body.result)) throw new Error(`JSON-RPC ${method}: unexpected result`);
  return body.result;
}

export async function readWalletBalances(rpcUrl: string, address: string, usdcContract: string): Promise<{ usdc: string; pol: string }> {
  const [usdcRaw, polRaw] = await Promise.all([
    rpc(rpcUrl, 'eth_call', [{ to: usdcContract, data: balanceOfCallData(address) }, 'latest']),
    rpc(rpcUrl, 'eth_getBalance', [address, 'latest']),
  ]);
  return { usdc: formatUnits(usdcRaw, 6), pol: formatUnits(polRaw, 18) };
}
