/** `adtkit eval <estimates> <references>`: onset precision, recall and F1 per class, micro and macro. */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { fMeasureFromCounts, type FMeasureResult, type MatchCounts, type ScoreConvention } from '../eval/fMeasureFromCounts.js';
import { onsetF1 } from '../eval/onsetF1.js';
import { ANNOTATION_EXTENSIONS, filesByKey, isDirectory, mappingByName, numberOption, readAnnotations, UsageError, type CliIO } from './common.js';

export const EVAL_HELP = `Usage: adtkit eval <estimates> <references> [options]

Scores estimated onsets against reference onsets: precision, recall and F1 per class, micro
(counts summed over classes and files) and macro (mean of the class scores).
<estimates> and <references> are two files, or two directories whose files are paired by
the name up to the first dot ("80sRock.mix.txt" pairs with "80sRock.class.txt").
Files: text "time label" lines (.txt), MIDI (.mid, .midi) or adtkit JSON (.json).

Options:
  -w, --window <s>             tolerance window [s] (default: 0.05, mir_eval's)
      --matching <m>           bipartite (mir_eval, default) or greedy (the thesis, on frames)
      --convention <c>         empty-set rule: mir_eval (default), madmom or thesis
  -m, --mapping <name>         mapping of the references' labels or MIDI notes (default: default)
      --estimate-mapping <n>   mapping of the estimates (default: default, what adtkit writes)
      --reference-suffix <s>   only reference files ending with this (e.g. .class.txt)
      --estimate-suffix <s>    only estimate files ending with this
      --json                   print the scores as JSON
  -v, --verbose                stack traces on errors
  -h, --help                   this help
Mappings: default, thesis-gm, thesis-roland, adtof, enst, mdb (subclass labels), mdb-class.
`;

function pct(x: number): string {
  return x.toFixed(3).padStart(9);
}

/** Formats scores as a table. */
export function formatScores(scores: FMeasureResult, files: number): string {
  const lines = [`files: ${files}`, `${'class'.padEnd(8)}${'TP'.padStart(7)}${'FP'.padStart(7)}${'FN'.padStart(7)}${'precision'.padStart(10)}${'recall'.padStart(9)}${'F1'.padStart(9)}`];
  const row = (name: string, s: MatchCounts & { precision: number; recall: number; f1: number }) =>
    `${name.padEnd(8)}${String(s.truePositives).padStart(7)}${String(s.falsePositives).padStart(7)}${String(s.falseNegatives).padStart(7)} ${pct(s.precision)}${pct(s.recall)}${pct(s.f1)}`;
  for (const c of scores.perClass) lines.push(row(c.className ?? String(c.classIndex), c));
  lines.push(row('micro', scores.micro));
  lines.push(`${'macro'.padEnd(8)}${''.padStart(21)} ${pct(scores.macro.precision)}${pct(scores.macro.recall)}${pct(scores.macro.f1)}`);
  return lines.join('\n') + '\n';
}

/** Runs `adtkit eval`. */
export async function evalCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      window: { type: 'string', short: 'w' },
      matching: { type: 'string', default: 'bipartite' },
      convention: { type: 'string', default: 'mir_eval' },
      mapping: { type: 'string', short: 'm', default: 'default' },
      'estimate-mapping': { type: 'string', default: 'default' },
      'reference-suffix': { type: 'string' },
      'estimate-suffix': { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(EVAL_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`expected <estimates> <references>, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`, 'eval');
  const [estimates, references] = positionals;
  const windowSeconds = numberOption(values.window, '--window', (x) => x > 0, 'a positive number of seconds') ?? 0.05;
  const matching = values.matching as string;
  if (matching !== 'bipartite' && matching !== 'greedy') throw new UsageError(`--matching must be bipartite or greedy, got "${matching}"`, 'eval');
  const convention = values.convention as ScoreConvention;
  if (!['mir_eval', 'madmom', 'thesis'].includes(convention)) throw new UsageError(`--convention must be mir_eval, madmom or thesis, got "${convention}"`, 'eval');
  const refMapping = mappingByName(values.mapping as string, '--mapping');
  const estMapping = mappingByName(values['estimate-mapping'] as string, '--estimate-mapping');
  if (refMapping.classNames.join() !== estMapping.classNames.join()) {
    throw new UsageError(`the mappings have different classes: references [${refMapping.classNames.join(', ')}], estimates [${estMapping.classNames.join(', ')}]`, 'eval');
  }
  const classNames = refMapping.classNames;

  let pairs: { key: string; estimate: string; reference: string }[];
  const estDir = isDirectory(estimates);
  const refDir = isDirectory(references);
  if (estDir !== refDir) {
    throw new UsageError(`${estDir ? estimates : references} is a directory but ${estDir ? references : estimates} is not; pass two files or two directories`, 'eval');
  }
  if (estDir) {
    const est = await filesByKey(estimates, ANNOTATION_EXTENSIONS, values['estimate-suffix'], '--estimate-suffix');
    const ref = await filesByKey(references, ANNOTATION_EXTENSIONS, values['reference-suffix'], '--reference-suffix');
    if (ref.size === 0) throw new UsageError(`no reference files (${values['reference-suffix'] ?? ANNOTATION_EXTENSIONS.join(', ')}) in ${references}`, 'eval');
    const missing = [...ref.keys()].filter((k) => !est.has(k));
    if (missing.length > 0) {
      throw new UsageError(`no estimate in ${estimates} for ${missing.length} reference file${missing.length === 1 ? '' : 's'}: ${missing.slice(0, 5).map((k) => basename(ref.get(k) as string)).join(', ')}${missing.length > 5 ? ', …' : ''}`, 'eval');
    }
    pairs = [...ref.entries()].map(([key, reference]) => ({ key, estimate: est.get(key) as string, reference }));
  } else {
    pairs = [{ key: basename(references), estimate: estimates, reference: references }];
  }

  const totals: MatchCounts[] = classNames.map(() => ({ truePositives: 0, falsePositives: 0, falseNegatives: 0 }));
  const perFile: { file: string; microF1: number }[] = [];
  for (const pair of pairs) {
    const est = await readAnnotations(pair.estimate, estMapping);
    const ref = await readAnnotations(pair.reference, refMapping);
    const scores = onsetF1(est, ref, { classNames, windowSeconds, matching, convention });
    scores.perClass.forEach((c, i) => {
      totals[i].truePositives += c.truePositives;
      totals[i].falsePositives += c.falsePositives;
      totals[i].falseNegatives += c.falseNegatives;
    });
    perFile.push({ file: pair.key, microF1: scores.micro.f1 });
  }
  const scores = fMeasureFromCounts(totals, { classNames, convention });
  if (values.json) {
    io.stdout.write(JSON.stringify({ files: perFile.length, windowSeconds, matching, convention, perClass: scores.perClass, micro: scores.micro, macro: scores.macro, perFile }, null, 2) + '\n');
  } else {
    io.stdout.write(formatScores(scores, pairs.length));
  }
  return 0;
}
