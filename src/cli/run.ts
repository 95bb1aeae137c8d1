/**
 * The `adtkit` command line: dispatch, help and error reporting. Errors end the process with
 * a non-zero status and one line on stderr (`adtkit: <message>`); `--verbose` adds the stack.
 * Status 1: the command failed; 2: the command line was wrong.
 */
import { AdtError } from '../errors.js';
import { UsageError, type CliIO } from './common.js';
import { EVAL_HELP, evalCommand } from './evalCommand.js';
import { SPECTROGRAM_HELP, spectrogramCommand } from './spectrogramCommand.js';
import { TRAIN_HELP, trainCommand } from './trainCommand.js';
import { TRANSCRIBE_HELP, transcribeCommand } from './transcribeCommand.js';
import { ADTKIT_VERSION } from '../transcribe/version.js';

export const MAIN_HELP = `Usage: adtkit <command> [options]

Automatic drum transcription: audio in, drum onsets out.

Commands:
  transcribe <audio…>                 transcribe drums to MIDI, text or JSON
  eval <estimates> <references>       precision, recall and F1 of onsets per class
  train <config.json>                 train a model and write a model bundle
  spectrogram <audio> -o <image.png>  draw the log-filtered spectrogram with onsets

Run "adtkit <command> --help" for the options of a command.

Options:
  -h, --help       this help
      --version    print the version
  -v, --verbose    stack traces on errors
`;

const COMMANDS: Record<string, { run: (argv: string[], io: CliIO) => Promise<number>; help: string }> = {
  transcribe: { run: transcribeCommand, help: TRANSCRIBE_HELP },
  eval: { run: evalCommand, help: EVAL_HELP },
  train: { run: trainCommand, help: TRAIN_HELP },
  spectrogram: { run: spectrogramCommand, help: SPECTROGRAM_HELP },
};

/** One line describing an error: the message, without the stack, on a single line. */
function oneLine(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  // node:util parseArgs explains positional arguments at length; keep the first sentence.
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown !== null) message = `unknown option ${unknown[1]}`;
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Runs the CLI.
 * @param argv - the arguments after the program name
 * @param io - output streams @defaultValue process.stdout / process.stderr
 * @returns the exit status (0 success, 1 failure, 2 usage error)
 */
export async function runCli(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      if (topic !== undefined && COMMANDS[topic] === undefined) throw new UsageError(`unknown command "${topic}"`);
      io.stdout.write(topic !== undefined ? COMMANDS[topic].help : MAIN_HELP);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      io.stdout.write(`${ADTKIT_VERSION}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (command === undefined) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return await command.run(rest, io);
  } catch (error) {
    const usage = error instanceof UsageError || (error as NodeJS.ErrnoException)?.code?.startsWith?.('ERR_PARSE_ARGS') === true;
    const where = COMMANDS[name] !== undefined ? ` ${name}` : '';
    let line = `adtkit${where}: ${oneLine(error)}`;
    if (usage) line += ` (see "adtkit${where} --help")`;
    else if (!(error instanceof AdtError) && !verbose) line += ' (run with --verbose for details)';
    io.stderr.write(line + '\n');
    if (verbose && error instanceof Error && error.stack !== undefined) io.stderr.write(error.stack + '\n');
    return usage ? 2 : 1;
  }
}
