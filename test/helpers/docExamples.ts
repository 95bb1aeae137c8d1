/** Extracts the ```ts code blocks of the TSDoc `@example` tags of a source file. */
export function tsdocExamples(source: string): string[] {
  const blocks: string[] = [];
  for (const match of source.matchAll(/@example\s*\n((?:\s*\*.*\n)*?)\s*\*\//g)) {
    const body = match[1].split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n');
    const code = /```ts\n([\s\S]*?)```/.exec(body);
    if (code) blocks.push(code[1]);
  }
  return blocks;
}
