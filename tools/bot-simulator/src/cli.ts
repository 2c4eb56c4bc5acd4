/** Command-line parsing for the simulator (kept apart from main.ts so it can be unit-tested). */
export interface CliOptions {
  bots: number;
  speed: number;
  durationSec: number;
  url: string;
  key: string;
  seed: string;
  staggerSec?: number;
  mode?: 'dry_run' | 'live';
  bankroll: number;
  progress?: 'tty' | 'plain' | 'none';
  json: boolean;
  help: boolean;
  /** N bots with keys of their own, made through the admin API (0: every bot uses --key). */
  keys: number;
  /** Tags given to those bots, one each in turn. */
  tags: string[];
  adminKey: string;
  /** Where the made keys are kept and reused from (so a second run is the same fleet). */
  keysFile?: string;
  /** Whether --bots was given (else --keys N runs N bots). */
  botsGiven: boolean;
  /** Simulated seconds of each run before the bot ends it and starts a new one (absent: one run a bot). */
  runLengthSec?: number;
}

export const USAGE = `PolyMaker bot simulator: simulated market-making bots talking to a Command Center over the real bot API.

Usage: npx tsx tools/bot-simulator/src/main.ts [options]

  --bots N         number of simulated bots, each with its own run (default 3)
  --speed X        time compression: X simulated seconds per real second; every cadence
                   (config 10 s, metrics 30 s, markets 100 s, trading cycle 5 s) is divided by X (default 1)
  --duration D     how long to run, in real time: 90, 90s, 5m, 1h (default 5m); then the runs are stopped
  --url URL        Command Center base URL (default $POLYMAKER_URL or http://localhost:3000)
  --key KEY        bot API key (default $POLYMAKER_API_KEY)
  --seed S         seed for a reproducible simulation (default: random, printed)
  --stagger D      spread the bots' starts over D real seconds (default min(10 s, duration/4))
  --mode M         dry_run or live (default: the config's mode)
  --bankroll USDC  starting bankroll per bot (default 500)
  --progress P     tty (one updating line), plain (a line every 10 s) or none (default: tty on a terminal)
  --keys N         a fleet of N bots with keys of their own, made with the admin key (one per bot; the
                   bots take them in turn); --bots defaults to N
  --tags T1,T2     tags for those bots, one each in turn (e.g. vps-1,vps-2)
  --admin-key KEY  an admin key, to make the keys and set the tags (default $POLYMAKER_ADMIN_KEY)
  --keys-file F    keep the made keys in F and reuse them on the next run (the same fleet)
  --run-length D   in simulated time: each bot ends its run after D and starts a new one at once, over
                   and over (e.g. 20m; default: one run a bot); each new run takes the version then
                   assigned to its bot, so an experiment gets segments to compare
  --json           print the final summary as JSON
  -h, --help       this help
`;

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`--duration: "${text}" is not a duration like 90, 90s, 5m or 1h`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return unit === 'ms' ? value / 1000 : unit === 'm' ? value * 60 : unit === 'h' ? value * 3600 : value;
}

export function parseArgs(argv: string[], env: Record<string, string | undefined> = process.env): CliOptions {
  const options: CliOptions = {
    bots: 3,
    speed: 1,
    durationSec: 300,
    url: env['POLYMAKER_URL'] || 'http://localhost:3000',
    key: env['POLYMAKER_API_KEY'] ?? '',
    seed: String(Math.floor(Math.random() * 1e9)),
    bankroll: 500,
    json: false,
    help: false,
    keys: 0,
    tags: [],
    adminKey: env['POLYMAKER_ADMIN_KEY'] ?? '',
    botsGiven: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const positive = (name: string, text: string, integer = false): number => {
      const n = Number(text);
      if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
        throw new Error(`${name} must be a positive ${integer ? 'whole ' : ''}number (got "${text}")`);
      }
      return n;
    };
    switch (flag) {
      case '--bots':
        options.bots = positive('--bots', value(), true);
        options.botsGiven = true;
        break;
      case '--speed':
        options.speed = positive('--speed', value());
        break;
      case '--duration':
        options.durationSec = parseDuration(value());
        break;
      case '--url':
        options.url = value();
        break;
      case '--key':
        options.key = value();
        break;
      case '--seed':
        options.seed = value();
        break;
      case '--stagger':
        options.staggerSec = parseDuration(value());
        break;
      case '--mode': {
        const mode = value();
        if (mode !== 'dry_run' && mode !== 'live')
          throw new Error(`--mode must be dry_run or live (got "${mode}")`);
        options.mode = mode;
        break;
      }
      case '--bankroll':
        options.bankroll = positive('--bankroll', value());
        break;
      case '--progress': {
        const progress = value();
        if (!['tty', 'plain', 'none'].includes(progress))
          throw new Error(`--progress must be tty, plain or none`);
        options.progress = progress as CliOptions['progress'];
        break;
      }
      case '--keys':
        options.keys = positive('--keys', value(), true);
        if (options.keys > 10_000) throw new Error('--keys must be at most 10000');
        break;
      case '--tags': {
        options.tags = value()
          .split(',')
          .map((t) => t.trim().toLowerCase())
          .filter(Boolean);
        const bad = options.tags.find((t) => !/^[a-z0-9][a-z0-9._:-]{0,39}$/.test(t));
        if (bad !== undefined) throw new Error(`--tags: "${bad}" is not a tag (1 to 40 of a-z 0-9 . _ : -)`);
        break;
      }
      case '--admin-key':
        options.adminKey = value();
        break;
      case '--keys-file':
        options.keysFile = value();
        break;
      case '--run-length': {
        const seconds = parseDuration(value());
        if (seconds < 60) throw new Error('--run-length must be at least 1m of simulated time');
        options.runLengthSec = seconds;
        break;
      }
      case '--json':
        options.json = true;
        break;
      case '-h':
      case '--help':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option "${arg}" (see --help)`);
    }
  }
  if (options.keys > 0 && !options.botsGiven) options.bots = options.keys;
  if (options.tags.length > 0 && options.keys === 0)
    throw new Error('--tags needs --keys N (the tags go to the bots it makes)');
  if (!/^https?:\/\//.test(options.url))
    throw new Error(`--url must start with http:// or https:// (got "${options.url}")`);
  return options;
}
