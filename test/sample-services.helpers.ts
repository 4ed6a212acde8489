import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as path from 'path';

export const SERVICES_DIR = path.join(__dirname, '..', 'integ', 'services');

/**
 * The load tester's script runs ApacheBench. Without it every run would only report a failed run, so a
 * test that needs it fails first with what to install.
 */
export function requireAb(env: NodeJS.ProcessEnv = process.env): void {
  const probe = spawnSync('ab', ['-V'], { env, stdio: 'ignore' });
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('`ab` (ApacheBench, Debian package apache2-utils) is missing: install it (apt-get install apache2-utils) to run the load tester\'s script');
  }
}

/** A sample service running as a child process on a free loopback port. */
export interface RunningService {
  readonly url: string;
  /** Everything it logged so far, one entry per line. */
  readonly logs: string[];
  stop(): Promise<void>;
}

/**
 * Starts `integ/services/<name>/server.js` with node, the way its container does, bound to
 * 127.0.0.1 on a port the OS picks (PORT=0); resolves once it logs that it listens.
 */
export function startService(name: 'backend' | 'frontend', env: Record<string, string> = {}): Promise<RunningService> {
  const child = spawn(process.execPath, [path.join(SERVICES_DIR, name, 'server.js')], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 10 s: ${logs.join('\n')}`));
    }, 10_000);
    const onLine = (line: string) => {
      logs.push(line);
      const port = listeningPort(line);
      if (port !== undefined) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, logs, stop: () => stop(child) });
      }
    };
    lines(child.stdout!, onLine);
    lines(child.stderr!, onLine);
    child.on('exit', code => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening: ${logs.join('\n')}`));
    });
  });
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line);
    return entry.msg === 'listening' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

export function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
}

/** SIGTERM, as ECS sends; SIGKILL if the service has not exited 5 s later. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
