/**
 * `npm run plugin:dev -- <plugin folder>`: runs a plugin under development inside the real
 * Enclave host. It builds the folder (as scripts/build-plugins.ts does for the first-party
 * plugins) into a temporary PLUGINS_DIR next to the built first-party plugins, and starts the
 * server on it the way `npm start` does. On every change under the folder it rebuilds and
 * restarts the server: the server reads PLUGINS_DIR and the file hashes once, at start, and
 * would refuse files that changed under it.
 *
 * Needs `npm run build` first (the app, the plugin runtime and dist/plugins).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlugin, type BuiltManifest } from './build-plugins.ts';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builtFirstParty = path.join(repositoryRoot, 'dist', 'plugins');
const REBUILD_DELAY_MS = 300;

const sourceArgument = process.argv[2];
if (!sourceArgument || sourceArgument.startsWith('-')) {
  console.error('Usage: npm run plugin:dev -- <plugin folder>   (e.g. plugins/template)');
  process.exit(1);
}
const sourceDir = path.resolve(sourceArgument);
if (!existsSync(path.join(repositoryRoot, 'dist', 'index.html'))) {
  console.error('Run `npm run build` first: the server serves the built app and plugin runtime.');
  process.exit(1);
}

const pluginsDir = await mkdtemp(path.join(tmpdir(), 'enclave-plugin-dev-'));
let server: ChildProcess | null = null;
let building = false;
let changedWhileBuilding = false;

/** Builds the dev plugin into pluginsDir; the first-party plugins keep their own folders. */
async function buildDevPlugin(): Promise<BuiltManifest | null> {
  try {
    const manifest = await buildPlugin({ sourceDir, outRoot: pluginsDir });
    console.log(`plugin:dev built ${manifest.id}@${manifest.version} into ${pluginsDir}`);
    return manifest;
  } catch (error) {
    console.error(`plugin:dev: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.cause) console.error(error.cause);
    return null;
  }
}

async function copyFirstParty(devId: string): Promise<void> {
  if (!existsSync(builtFirstParty)) return;
  for (const entry of await readdir(builtFirstParty, { withFileTypes: true })) {
    // The plugin under development replaces a first-party plugin of the same id.
    if (!entry.isDirectory() || entry.name === devId) continue;
    await cp(path.join(builtFirstParty, entry.name), path.join(pluginsDir, entry.name), {
      recursive: true,
    });
  }
}

function startServer(): void {
  server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repositoryRoot,
    env: { ...process.env, PLUGINS_DIR: pluginsDir },
    stdio: 'inherit',
  });
}

async function stopServer(): Promise<void> {
  const running = server;
  server = null;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill('SIGTERM');
  await exited;
}

async function rebuild(): Promise<void> {
  if (building) {
    changedWhileBuilding = true;
    return;
  }
  building = true;
  const manifest = await buildDevPlugin();
  building = false;
  if (manifest) {
    console.log('plugin:dev restarting the server; relaunch the plugin in the app.');
    await stopServer();
    startServer();
  }
  if (changedWhileBuilding) {
    changedWhileBuilding = false;
    await rebuild();
  }
}

const first = await buildDevPlugin();
if (!first) {
  await rm(pluginsDir, { recursive: true, force: true });
  process.exit(1);
}
await copyFirstParty(first.id);
startServer();
const appUrl =
  process.env.PUBLIC_URL ??
  `http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? '8080'}`;
console.log(
  [
    '',
    `plugin:dev: open ${appUrl}, sign in, open a table and launch "${first.name}" (${first.id}).`,
    `plugin:dev: watching ${sourceDir}; a change rebuilds the plugin and restarts the server.`,
    '',
  ].join('\n'),
);

let timer: ReturnType<typeof setTimeout> | undefined;
const watcher = watch(sourceDir, { recursive: true }, (_event, file) => {
  if (file && /(^|[\\/])(node_modules|dist)([\\/]|$)/.test(file)) return;
  clearTimeout(timer);
  timer = setTimeout(() => void rebuild(), REBUILD_DELAY_MS);
});

async function shutDown(): Promise<void> {
  watcher.close();
  clearTimeout(timer);
  await stopServer();
  await rm(pluginsDir, { recursive: true, force: true });
  process.exit(0);
}
process.once('SIGINT', () => void shutDown());
process.once('SIGTERM', () => void shutDown());
