/**
 * Lazy access to Node built-ins from code that must also bundle for browsers.
 *
 * The specifiers are held in variables and marked ignore for Vite and webpack so that
 * bundlers do not try to resolve `node:fs` for a browser build; the modules are loaded on
 * first use, only by the Node-only functions (file IO, disk datasets, checkpoints).
 */
import { IoError } from './errors.js';

type FsPromises = typeof import('node:fs/promises');
type PathModule = typeof import('node:path');

const FS_SPECIFIER = 'node:fs/promises';
const PATH_SPECIFIER = 'node:path';

async function importBuiltin<T>(specifier: string, purpose: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as T;
  } catch (cause) {
    throw new IoError(`${purpose} needs Node.js (${specifier} is not available in this environment)`, { cause });
  }
}

/** `node:fs/promises`, loaded on first use. @throws AdtError `IO_ERROR` outside Node. */
export function nodeFs(purpose = 'this function'): Promise<FsPromises> {
  return importBuiltin<FsPromises>(FS_SPECIFIER, purpose);
}

/** `node:path`, loaded on first use. @throws AdtError `IO_ERROR` outside Node. */
export function nodePath(purpose = 'this function'): Promise<PathModule> {
  return importBuiltin<PathModule>(PATH_SPECIFIER, purpose);
}

type UrlModule = typeof import('node:url');
const URL_SPECIFIER = 'node:url';

/** `node:url`, loaded on first use. @throws IoError outside Node. */
export function nodeUrl(purpose = 'this function'): Promise<UrlModule> {
  return importBuiltin<UrlModule>(URL_SPECIFIER, purpose);
}
