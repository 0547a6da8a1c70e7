#!/usr/bin/env node
import { UsageError } from './cli/args.js';
import { CERTS_USAGE, runCerts } from './cli/certs.js';
import { CONTROLLER_USAGE, runController } from './cli/controller.js';
import { MANIFESTS_USAGE, runManifests } from './cli/manifests.js';
import { REVIEW_USAGE, runReview } from './cli/review.js';
import { runServe, SERVE_USAGE } from './cli/serve.js';
import { runTest, TEST_USAGE } from './cli/test.js';

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

/** COMMANDS is the command table; each entry lives in src/cli/<name>.ts. */
const COMMANDS: Record<string, Command> = {
  serve: { usage: SERVE_USAGE, run: runServe },
  controller: { usage: CONTROLLER_USAGE, run: runController },
  review: { usage: REVIEW_USAGE, run: (argv) => runReview(argv, io) },
  test: { usage: TEST_USAGE, run: (argv) => runTest(argv, io) },
  certs: { usage: CERTS_USAGE, run: (argv) => runCerts(argv, { stdout: io.stdout, stderr: (s) => void process.stderr.write(s) }) },
  manifests: { usage: MANIFESTS_USAGE, run: (argv) => runManifests(argv, { stdout: io.stdout, stderr: (s) => void process.stderr.write(s) }) },
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
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`portcullis: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
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
