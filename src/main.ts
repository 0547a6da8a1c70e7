#!/usr/bin/env node
import { UsageError } from './cli/args.js';

/** Command is one `portcullis <command>`: its usage text and its entry point returning an exit status. */
interface Command {
  usage: string;
  run: (argv: string[]) => Promise<number>;
}

const io = {
  stdout: (s: string) => void process.stdout.write(s),
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
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => {
    const m = await import('./cli/serve.js');
    return { usage: m.SERVE_USAGE, run: m.runServe };
  },
  controller: async () => {
    const m = await import('./cli/controller.js');
    return { usage: m.CONTROLLER_USAGE, run: m.runController };
  },
  review: async () => {
    const m = await import('./cli/review.js');
    return { usage: m.REVIEW_USAGE, run: (argv) => m.runReview(argv, io) };
  },
  test: async () => {
    const m = await import('./cli/test.js');
    return { usage: m.TEST_USAGE, run: (argv) => m.runTest(argv, io) };
  },
  certs: async () => {
    const m = await import('./cli/certs.js');
    return { usage: m.CERTS_USAGE, run: (argv) => m.runCerts(argv, { stdout: io.stdout, stderr: (s) => void process.stderr.write(s) }) };
  },
  manifests: async () => {
    const m = await import('./cli/manifests.js');
    return { usage: m.MANIFESTS_USAGE, run: (argv) => m.runManifests(argv, { stdout: io.stdout, stderr: (s) => void process.stderr.write(s) }) };
  },
};

const USAGE = `Usage: portcullis <command> [flags]

Commands:
${Object.keys(COMMANDS).map((name) => `  ${name}`).join('\n')}

Run 'portcullis <command> --help' for a command's flags.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`portcullis: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`portcullis ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    process.stderr.write(`portcullis ${name}: ${(err as Error).message}\n`);
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
