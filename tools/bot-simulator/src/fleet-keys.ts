import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FleetKey {
  name: string;
  secret: string;
  botId: number;
}

async function adminCall<T>(
  url: string,
  adminKey: string,
  method: string,
  path: string,
  body: unknown,
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'X-Api-Key': adminKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as T & { message?: string };
  if (!response.ok)
    throw new Error(
      `${method} ${path} answered ${response.status}: ${answer.message ?? JSON.stringify(answer)}`,
    );
  return answer;
}

/** Whether a saved key still works as a bot key on this server. */
async function stillValid(url: string, key: FleetKey): Promise<boolean> {
  const response = await fetch(`${url}/api/bot/status`, { headers: { 'X-Api-Key': key.secret } }).catch(
    () => null,
  );
  return response?.status === 200;
}

/**
 * `n` bot keys of their own ("sim bot 1" … "sim bot n"), made through the admin API; with a keys file,
 * the keys kept there are reused while they still work, so a second run is the same fleet. Each bot
 * gets `tags[i % tags.length]` (when tags are given).
 */
export async function fleetKeys(
  url: string,
  adminKey: string,
  n: number,
  tags: string[],
  keysFile?: string,
  prefix = 'sim bot',
): Promise<FleetKey[]> {
  if (!adminKey) throw new Error('--keys needs an admin key: pass --admin-key or set POLYMAKER_ADMIN_KEY');
  const saved: FleetKey[] =
    keysFile && existsSync(keysFile)
      ? ((JSON.parse(readFileSync(keysFile, 'utf8')) as { keys?: FleetKey[] }).keys ?? [])
      : [];
  const keys: FleetKey[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${prefix} ${i + 1}`;
    const reuse = saved.find((k) => k.name === name);
    if (reuse && (await stillValid(url, reuse))) {
      keys.push(reuse);
      continue;
    }
    const created = await adminCall<{ secret: string; apiKey: { botId: number } }>(
      url,
      adminKey,
      'POST',
      '/api/v1/api-keys',
      { name, scope: 'bot' },
    );
    keys.push({ name, secret: created.secret, botId: created.apiKey.botId });
  }
  if (keysFile) {
    mkdirSync(dirname(keysFile), { recursive: true });
    writeFileSync(keysFile, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  }
  if (tags.length > 0) {
    for (const [i, key] of keys.entries())
      await adminCall(url, adminKey, 'PUT', `/api/v1/bots/${key.botId}/tags`, {
        tags: [tags[i % tags.length]],
      });
  }
  return keys;
}
