#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { suggest, UsageError } from './cli/args.js';
import { errorMessage } from './kube/errors.js';

/** Command is one `portcullis <command>`: its usage text and its entry point returning an exit status. */
interface Command {
  usage: string;
  run: (argv: string[]) => Promise<number>;
}

/** CommandEntry is a row of the command table: a one-line description and a lazy loader. */
interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

const stderr = (s: string) => void process.stderr.write(s);
const io = {
  stdout: (s: string) => void process.stdout.write(s),
  stderr,
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/**
 * COMMANDS is the command table; each entry lives in src/cli/<name>.ts and
 * is imported only when run, so `serve` doesn't load the controller's
 * Kubernetes client (tens of MiB of RSS, seconds of start-up).
 */
const COMMANDS: Record<string, CommandEntry> = {
  serve: {
    summary: 'Serve the admission and conversion webhooks over HTTPS',
    load: async () => {
      const m = await import('./cli/serve.js');
      return { usage: m.SERVE_USAGE, run: m.runServe };
    },
  },
  controller: {
    summary: 'Run the companion controller (ControllerBindings)',
    load: async () => {
      const m = await import('./cli/controller.js');
      return { usage: m.CONTROLLER_USAGE, run: m.runController };
    },
  },
  review: {
    summary: 'Review objects or AdmissionReview/ConversionReview files offline, as the server would',
    load: async () => {
      const m = await import('./cli/review.js');
      return { usage: m.REVIEW_USAGE, run: (argv) => m.runReview(argv, io) };
    },
  },
  test: {
    summary: 'Run the PolicyTest suites against the policies, CRDs and conversions',
    load: async () => {
      const m = await import('./cli/test.js');
      return { usage: m.TEST_USAGE, run: (argv) => m.runTest(argv, io) };
    },
  },
  certs: {
    summary: 'Make a CA and a serving certificate (and their Secret)',
    load: async () => {
      const m = await import('./cli/certs.js');
      return { usage: m.CERTS_USAGE, run: (argv) => m.runCerts(argv, io) };
    },
  },
  manifests: {
    summary: 'Print the webhook configurations and the converted CRDs, for kubectl apply -f',
    load: async () => {
      const m = await import('./cli/manifests.js');
      return { usage: m.MANIFESTS_USAGE, run: (argv) => m.runManifests(argv, io) };
    },
  },
  'migrate-storage': {
    summary: 'Rewrite stored objects of CRDs in their storage version and trim status.storedVersions',
    load: async () => {
      const m = await import('./cli/migrate-storage.js');
      return { usage: m.MIGRATE_STORAGE_USAGE, run: (argv) => m.runMigrateStorage(argv, io) };
    },
  },
  playground: {
    summary: 'Serve the browser playground on localhost (the engine runs in the page)',
    load: async () => {
      const m = await import('./cli/playground.js');
      return { usage: m.PLAYGROUND_USAGE, run: (argv) => m.runPlayground(argv, io) };
    },
  },
  version: {
    summary: 'Print the version',
    load: async () => ({ usage: 'Usage: portcullis version\n\nPrint the version of portcullis.\n', run: printVersion }),
  },
  help: {
    summary: 'Show help for a command',
    load: async () => ({ usage: 'Usage: portcullis help [COMMAND]\n\nShow the usage of portcullis or of one command.\n', run: help }),
  },
};

const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
const USAGE = `Usage: portcullis <command> [flags]

Commands:
${Object.entries(COMMANDS)
  .map(([name, entry]) => `  ${name.padEnd(width)}${entry.summary}`)
  .join('\n')}

Run 'portcullis help <command>' or 'portcullis <command> --help' for a command's flags.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function printVersion(argv: string[]): Promise<number> {
  if (argv.length > 0) throw new UsageError(`version takes no arguments, got ${JSON.stringify(argv[0])}`);
  io.stdout(`portcullis ${version()}\n`);
  return 0;
}

function unknownCommand(name: string): never {
  const hint = suggest(name, Object.keys(COMMANDS));
  throw new UsageError(`unknown command ${JSON.stringify(name)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`);
}

async function help(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    io.stdout(USAGE);
    return 0;
  }
  if (argv.length > 1) throw new UsageError('help takes one COMMAND');
  const entry = COMMANDS[argv[0] as string];
  if (!entry) unknownCommand(argv[0] as string);
  io.stdout((await (entry as CommandEntry).load()).usage);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    stderr(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h') return help([]);
  if (name === '--version') return printVersion([]);
  const where = name.startsWith('-') || !COMMANDS[name] ? 'portcullis' : `portcullis ${name}`;
  const helpHint = name.startsWith('-') || !COMMANDS[name] ? "Run 'portcullis help' for the commands." : `Run 'portcullis help ${name}' for its usage.`;
  try {
    if (name.startsWith('-')) throw new UsageError(`${name} must come after a command (portcullis <command> [flags])`);
    const entry = COMMANDS[name];
    if (!entry) unknownCommand(name);
    const command = await (entry as CommandEntry).load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(command.usage);
      return 0;
    }
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      stderr(`${where}: ${err.message}\n${helpHint}\n`);
      return 2;
    }
    stderr(`${where}: ${errorMessage(err)}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`portcullis: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
