/**
 * Where training checkpoints go: a small key → files interface with an in-memory and a Node
 * directory implementation (others, e.g. IndexedDB, can be plugged in).
 */
import { AdtError } from '../errors.js';
import { nodeFs, nodePath } from '../nodeBuiltins.js';

/** A set of named files, e.g. `{ 'checkpoint.json': ..., 'state.bin': ... }`. */
export type CheckpointFiles = Record<string, Uint8Array>;

/** Storage of checkpoints by key (`'last'`, `'best'`). Writes replace a key atomically. */
export interface CheckpointStore {
  /** Replaces the files stored under `key`. */
  write(key: string, files: CheckpointFiles): Promise<void>;
  /** The files stored under `key`, or null when there are none. */
  read(key: string): Promise<CheckpointFiles | null>;
}

/** A store in memory (tests, browsers, or to keep checkpoints without touching the disk). */
export function memoryCheckpointStore(): CheckpointStore & { readonly entries: Map<string, CheckpointFiles> } {
  const entries = new Map<string, CheckpointFiles>();
  return {
    entries,
    async write(key, files) {
      const copy: CheckpointFiles = {};
      for (const [name, data] of Object.entries(files)) copy[name] = data.slice();
      entries.set(key, copy);
    },
    async read(key) {
      const files = entries.get(key);
      if (files === undefined) return null;
      const copy: CheckpointFiles = {};
      for (const [name, data] of Object.entries(files)) copy[name] = data.slice();
      return copy;
    },
  };
}

/**
 * A store in a directory (Node): key `k` lives in `<directory>/<k>/`. A write goes to
 * `<k>.tmp/` first and is renamed into place, so a run killed while writing leaves the
 * previous checkpoint intact.
 *
 * @param directory - created on the first write.
 * @returns the store.
 */
export function directoryCheckpointStore(directory: string): CheckpointStore {
  const modules = async () => {
    try {
      return { fs: await nodeFs('adtkit/train'), path: await nodePath('adtkit/train') };
    } catch (cause) {
      throw new AdtError('IO_ERROR', 'directoryCheckpointStore needs Node.js (node:fs); use memoryCheckpointStore instead', { cause });
    }
  };
  return {
    async write(key, files) {
      const { fs, path } = await modules();
      const target = path.join(directory, key);
      const tmp = `${target}.tmp`;
      const old = `${target}.old`;
      try {
        await fs.rm(tmp, { recursive: true, force: true });
        await fs.mkdir(tmp, { recursive: true });
        for (const [name, data] of Object.entries(files)) await fs.writeFile(path.join(tmp, name), data);
        await fs.rm(old, { recursive: true, force: true });
        const exists = await fs.stat(target).then(() => true, () => false);
        if (exists) await fs.rename(target, old);
        await fs.rename(tmp, target);
        await fs.rm(old, { recursive: true, force: true });
      } catch (cause) {
        throw new AdtError('IO_ERROR', `cannot write checkpoint "${key}" under "${directory}": ${String(cause)}`, { file: target, cause });
      }
    },
    async read(key) {
      const { fs, path } = await modules();
      let dir = path.join(directory, key);
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch {
        // A kill between the two renames of `write` leaves only `<key>.old`.
        dir = `${dir}.old`;
        try {
          names = await fs.readdir(dir);
        } catch {
          return null;
        }
      }
      const files: CheckpointFiles = {};
      for (const name of names) files[name] = new Uint8Array(await fs.readFile(path.join(dir, name)));
      return files;
    },
  };
}
